// The mpi backend's entry in the registry. What it does is in mpi_runner.cpp: the runner hands its
// cases to the ranks instead of calling launch().
#include <stdexcept>

#include "backend.hpp"

namespace parbench {
namespace {

class MpiBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "mpi"; }
  [[nodiscard]] std::string_view description() const override {
    return "one worker per MPI rank: mpirun -np N parbench run ... --backend mpi";
  }
  [[nodiscard]] std::vector<ChildProcess> launch(int /*workers*/,
                                                 const std::function<void(int)>& /*entry*/,
                                                 LaunchRecord* /*record*/) const override {
    throw std::logic_error("the mpi backend's workers are MPI ranks; mpi_runner runs them");
  }
  [[nodiscard]] bool process_per_worker() const override { return true; }
  [[nodiscard]] bool is_mpi() const override { return true; }
};

}  // namespace

const std::vector<std::unique_ptr<Backend>>& mpi_backends() {
  static const auto backends = [] {
    std::vector<std::unique_ptr<Backend>> v;
    v.push_back(std::make_unique<MpiBackend>());
    return v;
  }();
  return backends;
}

}  // namespace parbench
