#pragma once
// Every measured column of a row besides wall_ns (the summary's own statistics) and work_units
// (the workload's count), one line each:
//   X(name, type in Row, unit, which way is better, how the summary aggregates it, where in the
//     summary it goes, whether reports written before it lack it, its value in a RunResult `run`)
// Row and SummaryRow get a field of that name from this list, and columns.cpp builds the column
// table from it: adding a column is one line here (a new measurement also needs its RunResult
// field, filled by the workers layer).
// clang-format off
#define PARBENCH_MEASURED_COLUMNS(X)                                                                       \
  X(cpu_user_ns,        std::int64_t, "ns",    LowerIsBetter, Median,      Main,   false, run.cpu_user_ns)        \
  X(cpu_sys_ns,         std::int64_t, "ns",    LowerIsBetter, Median,      Main,   false, run.cpu_sys_ns)         \
  X(vol_ctx_switches,   std::int64_t, "count", LowerIsBetter, Median,      Main,   false, run.vol_ctx_switches)   \
  X(invol_ctx_switches, std::int64_t, "count", LowerIsBetter, Median,      Main,   false, run.invol_ctx_switches) \
  X(minor_faults,       std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.minor_faults)       \
  X(major_faults,       std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.major_faults)       \
  X(cpu_migrations,     std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.counters[kCpuMigrations]) \
  X(max_rss_kb,         std::int64_t, "KiB",   LowerIsBetter, MedianOfAll, Main,   true,  run.max_rss_kb)         \
  X(steal_pct,          double,       "%",     LowerIsBetter, MedianOfAll, Main,   true,  run.steal_pct)          \
  X(other_load_pct,     double,       "%",     LowerIsBetter, MedianOfAll, Main,   true,  run.other_load_pct)     \
  X(cycles,             std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.counters[kCycles])  \
  X(instructions,       std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.counters[kInstructions]) \
  X(cache_misses,       std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.counters[kCacheMisses]) \
  X(branch_misses,      std::int64_t, "count", LowerIsBetter, MedianOfAll, Main,   true,  run.counters[kBranchMisses]) \
  X(machine_capacity,   double,       "x",     HigherIsBetter, MedianOfAll, Main,  true,  run.machine_capacity)   \
  X(machine_throughput, double,       "op/ns", HigherIsBetter, MedianOfAll, Main,  true,  run.machine_throughput) \
  X(startup_ns,         std::int64_t, "ns",    LowerIsBetter, Median,      Timing, false, run.startup_ns)         \
  X(start_skew_ns,      std::int64_t, "ns",    LowerIsBetter, Median,      Timing, false, run.start_skew_ns)      \
  X(skew_total_ns,      std::int64_t, "ns",    LowerIsBetter, MedianOfAll, Timing, true,  skew_total_ns(run))   \
  X(imbalance_total_ns, std::int64_t, "ns",    LowerIsBetter, MedianOfAll, Timing, true,  imbalance_total_ns(run)) \
  X(run_delay_total_ns, std::int64_t, "ns",    LowerIsBetter, MedianOfAll, Timing, true,  run.run_delay_ns)
// clang-format on
