#pragma once
// Clocks shared by every worker. CLOCK_MONOTONIC is system-wide, so timestamps taken in different
// processes are on one time line and can be subtracted (start skew, wall time from the gate).
#include <sys/resource.h>
#include <time.h>

#include <cstdint>

namespace parbench {

inline std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Busy-waits (never sleeps) for about `ns`: simulated work inside and outside critical sections.
inline void spin_for(std::int64_t ns) {
  if (ns <= 0) return;
  const std::int64_t until = now_ns() + ns;
  while (now_ns() < until) {
  }
}

// The kernel's accounting for one thread: CPU time and context switches (voluntary: it blocked;
// involuntary: the scheduler preempted it).
struct ThreadUsage {
  std::int64_t user_ns = 0;
  std::int64_t sys_ns = 0;
  std::int64_t vol_ctx_switches = 0;
  std::int64_t invol_ctx_switches = 0;
};

// Usage of the calling thread only (a process worker is one thread, so this is its whole cost).
inline ThreadUsage thread_usage() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  auto ns = [](const timeval& tv) {
    return std::int64_t{tv.tv_sec} * 1'000'000'000 + std::int64_t{tv.tv_usec} * 1'000;
  };
  return {ns(ru.ru_utime), ns(ru.ru_stime), ru.ru_nvcsw, ru.ru_nivcsw};
}

}  // namespace parbench
