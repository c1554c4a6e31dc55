#pragma once
// Clocks shared by every worker. CLOCK_MONOTONIC is system-wide, so timestamps taken in different
// processes are on one time line and can be subtracted (start skew, wall time from the gate).
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>

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

// The kernel's accounting for one thread: CPU time, context switches (voluntary: it blocked;
// involuntary: the scheduler preempted it) and page faults (minor: the page was in memory and only
// had to be mapped; major: it had to be read from disk).
struct ThreadUsage {
  std::int64_t user_ns = 0;
  std::int64_t sys_ns = 0;
  std::int64_t vol_ctx_switches = 0;
  std::int64_t invol_ctx_switches = 0;
  std::int64_t minor_faults = 0;
  std::int64_t major_faults = 0;
};

// Usage of the calling thread only (a process worker is one thread, so this is its whole cost).
// The total CPU time comes from CLOCK_THREAD_CPUTIME_ID, which includes the time run since the
// last scheduler tick; getrusage's utime + stime leaves that out for a running thread, which made
// a 12 ms busy loop read 8 to 11 ms here (one 4 ms tick of error). getrusage still gives the system
// share: user = total - system.
inline ThreadUsage thread_usage() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  timespec cpu{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  const std::int64_t total = std::int64_t{cpu.tv_sec} * 1'000'000'000 + cpu.tv_nsec;
  const std::int64_t sys =
      std::int64_t{ru.ru_stime.tv_sec} * 1'000'000'000 + std::int64_t{ru.ru_stime.tv_usec} * 1'000;
  return {total - std::min(sys, total),
          std::min(sys, total),
          ru.ru_nvcsw,
          ru.ru_nivcsw,
          ru.ru_minflt,
          ru.ru_majflt};
}

// How long the calling thread has been runnable but waiting for a CPU: the second field of
// /proc/thread-self/schedstat (run_delay, kept by the scheduler whenever CONFIG_SCHED_INFO is on,
// without schedstats). The file is opened by the thread that reads it (thread-self names the
// opener), before the timed region; a read is one pread of ~1.5 us.
class RunDelayClock {
 public:
  RunDelayClock() : fd_(open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}
  ~RunDelayClock() {
    if (fd_ >= 0) close(fd_);
  }
  RunDelayClock(const RunDelayClock&) = delete;
  RunDelayClock& operator=(const RunDelayClock&) = delete;

  [[nodiscard]] std::optional<std::int64_t> read() const {
    if (fd_ < 0) return std::nullopt;
    char text[96];
    const ssize_t n = pread(fd_, text, sizeof(text) - 1, 0);
    if (n <= 0) return std::nullopt;
    text[n] = '\0';
    char* end = nullptr;
    std::strtoll(text, &end, 10);  // time on the CPU
    if (end == text) return std::nullopt;
    char* after = nullptr;
    const long long delay = std::strtoll(end, &after, 10);
    if (after == end) return std::nullopt;
    return delay;
  }

 private:
  int fd_;
};

// User + system CPU time of every child this process has waited for, and of their descendants
// that they waited for in turn (RUSAGE_CHILDREN).
inline std::int64_t reaped_children_cpu_ns() {
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  const auto ns = [](const timeval& t) {
    return std::int64_t{t.tv_sec} * 1'000'000'000 + std::int64_t{t.tv_usec} * 1'000;
  };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

}  // namespace parbench
