#pragma once
// What else the machine was doing during a repetition, from the kernel's CPU time accounting in
// /proc/stat: time stolen by the hypervisor and CPU time used by processes other than the workers.
// /proc/stat counts in clock ticks (USER_HZ, 10 ms) per CPU, so a window shorter than
// kMinTicks ticks summed over CPUs is too coarse to say anything and gives no figures.
#include <cstdint>
#include <optional>
#include <string_view>

namespace parbench {

// Time in clock ticks, summed over all CPUs (the "cpu" line of /proc/stat).
struct CpuTimes {
  std::int64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
               steal = 0;
  [[nodiscard]] std::int64_t total() const {
    return user + nice + system + idle + iowait + irq + softirq + steal;
  }
  // Time some process or interrupt ran (guest time is already inside user and nice).
  [[nodiscard]] std::int64_t busy() const { return user + nice + system + irq + softirq; }
};

// Parses the text of /proc/stat; nullopt when it has no well-formed "cpu" line.
std::optional<CpuTimes> parse_proc_stat(std::string_view text);
// Reads /proc/stat now; nullopt when it cannot be read.
std::optional<CpuTimes> read_cpu_times();

inline constexpr std::int64_t kMinTicks = 10;

struct Interference {
  double steal_pct = 0;       // of all CPU time in the window
  double other_load_pct = 0;  // busy time not spent by the workers, of all CPU time
};

// From two readings around a window in which the workers used `workers_cpu_ns` of CPU time;
// nullopt when the window is shorter than kMinTicks or the readings are missing.
std::optional<Interference> interference_between(const std::optional<CpuTimes>& before,
                                                 const std::optional<CpuTimes>& after,
                                                 std::int64_t workers_cpu_ns, std::int64_t tick_ns);
// One clock tick in ns (sysconf(_SC_CLK_TCK)).
std::int64_t clock_tick_ns();

}  // namespace parbench
