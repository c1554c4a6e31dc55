#include "lifecycle.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <stdexcept>

#include "child_process.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "shared_memory.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

struct LifecycleFlags {
  std::uint32_t running = 0;  // the child sets it once it runs its body
  std::uint32_t stop = 0;     // the parent sets it to ask for a graceful stop
};

std::uint32_t load_flag(std::uint32_t& word) {
  return std::atomic_ref<std::uint32_t>(word).load(std::memory_order_acquire);
}
void store_flag(std::uint32_t& word, std::uint32_t v) {
  std::atomic_ref<std::uint32_t>(word).store(v, std::memory_order_release);
}

}  // namespace

const std::vector<std::string>& stop_methods() {
  static const std::vector<std::string> methods{"flag", "terminate", "kill"};
  return methods;
}

Lifecycle start_and_stop(std::string_view method) {
  const bool graceful = method == "flag";
  const int sig = method == "terminate" ? SIGTERM : method == "kill" ? SIGKILL : 0;
  if (!graceful && sig == 0) {
    throw std::invalid_argument(fmt::format("unknown stop method '{}'", method));
  }
  SharedRegion region(sizeof(LifecycleFlags));
  auto& flags = *new (region.data()) LifecycleFlags();
  Lifecycle out;

  const std::int64_t t0 = now_ns();
  ChildProcess child = ChildProcess::fork_and_run([&flags] {
    store_flag(flags.running, 1);
    futex_wake(&flags.running);
    // Blocked, as a worker waiting for its next task or an Event: every method has to wake or
    // kill a sleeping process.
    while (load_flag(flags.stop) == 0) futex_wait(&flags.stop, 0);
    return 0;
  });
  // is_alive() until it runs: a child that died instead is an error, not a long start.
  while (load_flag(flags.running) == 0) {
    ++out.alive_polls;
    if (child.has_exited()) {
      throw std::runtime_error(fmt::format("{}: the child {} before it ran", method,
                                           describe_wait_status(child.reap())));
    }
    const timespec slice{0, 100'000};  // wakes at once when the child sets the flag
    futex_wait(&flags.running, 0, &slice);
  }
  out.start_ns = now_ns() - t0;

  const std::int64_t t1 = now_ns();
  if (graceful) {
    store_flag(flags.stop, 1);
    futex_wake(&flags.stop);
  } else {
    check_sys(::kill(child.pid(), sig), "kill");
  }
  const int status = child.reap();
  out.stop_ns = now_ns() - t1;

  const bool as_expected = graceful ? WIFEXITED(status) && WEXITSTATUS(status) == 0
                                    : WIFSIGNALED(status) && WTERMSIG(status) == sig;
  if (!as_expected) {
    throw std::runtime_error(
        fmt::format("{}: the child {} (expected {})", method, describe_wait_status(status),
                    graceful ? "exit status 0" : fmt::format("death by signal {}", sig)));
  }
  return out;
}

}  // namespace parbench
