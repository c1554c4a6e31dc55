// Threads (std::jthread) in one process. The threads run inside a forked sandbox process rather
// than in parbench itself: a worker that segfaults or never returns then costs one error row (the
// sandbox is killed) instead of the whole run, which is what a process worker gets for free.
#include <fmt/core.h>
#include <unistd.h>

#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "clock.hpp"
#include "launcher.hpp"

namespace parbench {
namespace {

class ThreadLauncher final : public WorkerLauncher {
 public:
  [[nodiscard]] std::string_view name() const override { return "thread"; }
  [[nodiscard]] std::string_view description() const override {
    return "std::jthread workers sharing one address space (run in an isolated sandbox process)";
  }
  [[nodiscard]] bool process_per_worker() const override { return false; }

  [[nodiscard]] std::vector<ChildProcess> launch(int workers, const std::function<void(int)>& entry,
                                                 LaunchRecord* record) const override {
    std::vector<ChildProcess> children;
    children.push_back(ChildProcess::fork_and_run([&] {
      record->launch_ns = now_ns();
      std::vector<std::jthread> threads;
      int started = 0;
      try {
        threads.reserve(static_cast<std::size_t>(workers));
        for (; started < workers; ++started) threads.emplace_back(entry, started);
      } catch (const std::exception& e) {
        // The threads already started wait at a gate that will never open, so joining them (the
        // jthreads' destructors) would hang: leave at once, with the reason for the supervisor.
        record->fail(
            fmt::format("cannot start worker thread {} of {}: {} (RLIMIT_NPROC, "
                        "RLIMIT_AS or memory)",
                        started, workers, e.what()));
        _exit(1);
      }
      return 0;  // jthreads join here
    }));
    return children;
  }
};

}  // namespace

std::unique_ptr<WorkerLauncher> make_thread_launcher() {
  return std::make_unique<ThreadLauncher>();
}

}  // namespace parbench
