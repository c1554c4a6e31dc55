// Threads (std::jthread) in one process. The threads run inside a forked sandbox process rather
// than in parbench itself: a worker that segfaults or never returns then costs one error row (the
// sandbox is killed) instead of the whole run, which is what a process worker gets for free.
#include <thread>
#include <vector>

#include "backend.hpp"
#include "clock.hpp"

namespace parbench {
namespace {

class ThreadBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "thread"; }
  [[nodiscard]] std::string_view description() const override {
    return "std::jthread workers sharing one address space (run in an isolated sandbox process)";
  }
  [[nodiscard]] bool process_per_worker() const override { return false; }

  [[nodiscard]] std::vector<ChildProcess> launch(int workers, const std::function<void(int)>& entry,
                                                 std::int64_t* launch_ns) const override {
    std::vector<ChildProcess> children;
    children.push_back(ChildProcess::fork_and_run([&] {
      *launch_ns = now_ns();
      std::vector<std::jthread> threads;
      threads.reserve(static_cast<std::size_t>(workers));
      for (int i = 0; i < workers; ++i) threads.emplace_back(entry, i);
      return 0;  // jthreads join here
    }));
    return children;
  }
};

}  // namespace

std::unique_ptr<Backend> make_thread_backend() { return std::make_unique<ThreadBackend>(); }

}  // namespace parbench
