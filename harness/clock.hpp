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

struct CpuTimes {
  std::int64_t user_ns = 0;
  std::int64_t sys_ns = 0;
};

// CPU time of the calling thread only (a process worker is one thread, so this is its whole cost).
inline CpuTimes thread_cpu_times() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  auto ns = [](const timeval& tv) {
    return std::int64_t{tv.tv_sec} * 1'000'000'000 + std::int64_t{tv.tv_usec} * 1'000;
  };
  return {ns(ru.ru_utime), ns(ru.ru_stime)};
}

}  // namespace parbench
