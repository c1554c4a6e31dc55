#include "interference.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace parbench {

std::optional<CpuTimes> parse_proc_stat(std::string_view text) {
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("cpu ")) continue;
    std::istringstream fields(line.substr(4));
    CpuTimes t;
    // Kernels before 2.6.11 lack steal; every kernel this runs on has it.
    if (fields >> t.user >> t.nice >> t.system >> t.idle >> t.iowait >> t.irq >> t.softirq >>
        t.steal) {
      return t;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<CpuTimes> read_cpu_times() {
  std::ifstream in("/proc/stat");
  if (!in) return std::nullopt;
  std::string first_line;
  std::getline(in, first_line);  // the aggregate "cpu" line always comes first
  return parse_proc_stat(first_line);
}

std::optional<Interference> interference_between(const std::optional<CpuTimes>& before,
                                                 const std::optional<CpuTimes>& after,
                                                 std::int64_t workers_cpu_ns,
                                                 std::int64_t tick_ns) {
  if (!before || !after || tick_ns <= 0) return std::nullopt;
  const std::int64_t total = after->total() - before->total();
  if (total < kMinTicks) return std::nullopt;
  const double total_ns = static_cast<double>(total) * static_cast<double>(tick_ns);
  const double busy_ns =
      static_cast<double>(after->busy() - before->busy()) * static_cast<double>(tick_ns);
  Interference out;
  out.steal_pct =
      100.0 * static_cast<double>(after->steal - before->steal) / static_cast<double>(total);
  // Tick sampling can put a little of the workers' time outside the window: never below zero.
  out.other_load_pct =
      100.0 * std::max(0.0, busy_ns - static_cast<double>(workers_cpu_ns)) / total_ns;
  return out;
}

std::int64_t clock_tick_ns() {
  static const std::int64_t ns = [] {
    const long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? 1'000'000'000 / hz : 0;
  }();
  return ns;
}

}  // namespace parbench
