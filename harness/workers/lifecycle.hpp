#pragma once
// Python's Process lifecycle in C++, for the `lifecycle` workload to time: start a child process,
// poll is_alive until it is running, then stop it one of three ways and reap it. It lives in the
// harness because workloads never fork.
//   flag       graceful: set a shared stop flag the child waits on (an Event); it returns, exit 0
//   terminate  SIGTERM, as Process.terminate(); the child dies of the signal
//   kill       SIGKILL, as Process.kill()
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

const std::vector<std::string>& stop_methods();

struct Lifecycle {
  std::int64_t start_ns = 0;     // start requested -> the child is seen running
  std::int64_t stop_ns = 0;      // stop requested -> the child is reaped
  std::int64_t alive_polls = 0;  // is_alive() checks made while waiting for it to run
};

// One child, started and stopped with `method`. Checks that the child ran and ended the way the
// method implies (exit 0 after the flag, death by SIGTERM or SIGKILL); throws std::runtime_error
// naming what went wrong. The child never outlives the call.
Lifecycle start_and_stop(std::string_view method);

}  // namespace parbench
