// One forked process per worker: separate address spaces, sharing only the arena's mappings.
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "clock.hpp"
#include "launcher.hpp"

namespace parbench {
namespace {

class ProcessLauncher final : public WorkerLauncher {
 public:
  [[nodiscard]] std::string_view name() const override { return "process"; }
  [[nodiscard]] std::string_view description() const override {
    return "fork()ed worker processes sharing only the shared arena";
  }
  [[nodiscard]] bool process_per_worker() const override { return true; }

  [[nodiscard]] std::vector<ChildProcess> launch(int workers, const std::function<void(int)>& entry,
                                                 LaunchRecord* record) const override {
    record->launch_ns = now_ns();
    std::vector<ChildProcess> children;
    children.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) {
      try {
        children.push_back(ChildProcess::fork_and_run([&entry, i] {
          entry(i);
          return 0;
        }));
      } catch (const std::system_error& e) {
        // The workers already forked are killed and reaped by `children`'s destructors.
        throw std::runtime_error(
            fmt::format("cannot start worker process {} of {}: {}", i, workers, e.what()));
      }
    }
    return children;
  }
};

}  // namespace

std::unique_ptr<WorkerLauncher> make_process_launcher() {
  return std::make_unique<ProcessLauncher>();
}

}  // namespace parbench
