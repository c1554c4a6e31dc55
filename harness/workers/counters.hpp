#pragma once
// Per-thread event counters from perf_event_open: the kernel's software counters (CPU migrations)
// and the CPU's hardware counters (cycles, instructions, cache and branch misses). A counter the
// machine does not expose (hardware counters in most VMs, anything under valgrind) reads as
// nullopt, never as 0, and the probe says why.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

struct CounterSpec {
  std::string_view column;  // the rows CSV column
  std::uint32_t type = 0;   // PERF_TYPE_SOFTWARE or PERF_TYPE_HARDWARE
  std::uint64_t config = 0;
  std::string_view help;
};

// Positions in counter_specs() and in CounterValues.
enum CounterIndex : std::size_t {
  kCpuMigrations,
  kCycles,
  kInstructions,
  kCacheMisses,
  kBranchMisses
};
inline constexpr std::size_t kCounterCount = 5;
const std::array<CounterSpec, kCounterCount>& counter_specs();

using CounterValues = std::array<std::optional<std::int64_t>, kCounterCount>;

struct CounterStatus {
  std::string column;
  bool available = false;
  std::string detail;  // why not, or a restriction ("user space only")
};

// Opens each counter once on the calling thread and closes it again.
std::vector<CounterStatus> probe_counters();

// Whether workers open perf events at all (run --profile). Off by default: an open perf event
// costs ~300 ns on every context switch of the counted thread, so a blocking channel would be
// timed with the instrument's cost and a spinning one without. Set before workers start.
// cpu_migrations never needs one: it comes from the scheduler's own count (thread_migrations),
// read before and after the timed region, at no cost inside it.
void set_profiling(bool on);
[[nodiscard]] bool profiling();
inline constexpr std::string_view kProfilingOff = "not counted: run without --profile";

// How often the scheduler has moved the calling thread to another CPU (se.nr_migrations in
// /proc/thread-self/sched); nullopt on a kernel without that file (CONFIG_SCHED_DEBUG off).
std::optional<std::int64_t> thread_migrations();

// Counters of the calling thread, opened disabled. start() and stop() bracket what is counted.
// Move-only; closes its descriptors.
class ThreadCounters {
 public:
  ThreadCounters() : ThreadCounters(counter_specs()) {}
  explicit ThreadCounters(const std::array<CounterSpec, kCounterCount>& specs);
  // Opens nothing: every counter reads as nullopt, `why` says so.
  static ThreadCounters none(std::string_view why);
  // The hardware counters when profiling() is on, none(kProfilingOff) otherwise; never the
  // cpu_migrations event (thread_migrations counts those for free).
  static ThreadCounters for_run();
  ~ThreadCounters();
  ThreadCounters(ThreadCounters&& other) noexcept;
  ThreadCounters& operator=(ThreadCounters&&) = delete;
  ThreadCounters(const ThreadCounters&) = delete;
  ThreadCounters& operator=(const ThreadCounters&) = delete;

  void start();
  void stop();
  // Counts between start and stop, scaled up when the kernel multiplexed a counter; nullopt for a
  // counter that could not be opened or never ran.
  [[nodiscard]] CounterValues read() const;
  // Why counter i could not be opened ("" when it was).
  [[nodiscard]] const std::string& failure(std::size_t i) const { return failures_[i]; }

 private:
  struct NoneTag {};
  explicit ThreadCounters(NoneTag /*unused*/) { fds_.fill(-1); }
  std::array<int, kCounterCount> fds_{};
  std::array<std::string, kCounterCount> failures_;
};

}  // namespace parbench
