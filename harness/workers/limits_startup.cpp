// Start-up costs: a clock read, a thread created and joined, a process forked and reaped.
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "clock.hpp"
#include "limits_probes.hpp"

namespace parbench::limits_probes {

double clock_read_ns() {
  constexpr int kReads = 1'000'000;
  std::vector<double> per;
  for (int round = 0; round < 3; ++round) {
    const std::int64_t t0 = now_ns();
    std::int64_t last = 0;
    for (int i = 0; i < kReads; ++i) last = now_ns();
    per.push_back(static_cast<double>(last - t0) / kReads);
  }
  return median(std::move(per));
}

double thread_create_join_ns() {
  std::vector<double> t;
  for (int i = 0; i < 200; ++i) {
    const std::int64_t t0 = now_ns();
    std::thread([] {}).join();
    t.push_back(static_cast<double>(now_ns() - t0));
  }
  return median(std::move(t));
}

double fork_exit_wait_ns() {
  std::vector<double> t;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t t0 = now_ns();
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", strerror(errno)));
    int status = 0;
    waitpid(pid, &status, 0);
    t.push_back(static_cast<double>(now_ns() - t0));
  }
  return median(std::move(t));
}

}  // namespace parbench::limits_probes
