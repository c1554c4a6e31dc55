// One forked process per worker: separate address spaces, sharing only the arena's mappings.
#include <vector>

#include "backend.hpp"
#include "clock.hpp"

namespace parbench {
namespace {

class ProcessBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "process"; }
  [[nodiscard]] std::string_view description() const override {
    return "fork()ed worker processes sharing only the shared arena";
  }
  [[nodiscard]] bool process_per_worker() const override { return true; }

  [[nodiscard]] std::vector<ChildProcess> launch(int workers, const std::function<void(int)>& entry,
                                                 std::int64_t* launch_ns) const override {
    *launch_ns = now_ns();
    std::vector<ChildProcess> children;
    children.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) {
      children.push_back(ChildProcess::fork_and_run([&entry, i] {
        entry(i);
        return 0;
      }));
    }
    return children;
  }
};

}  // namespace

std::unique_ptr<Backend> make_process_backend() { return std::make_unique<ProcessBackend>(); }

}  // namespace parbench
