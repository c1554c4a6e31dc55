// The full form, as the built-in workloads are written: a Workload that prepares an Experiment.
// Empty work, so that its timing and the short form's (unchecked.cpp's twin here, "empty_short")
// can be compared: the short form must cost nothing measurable in the timed region.
#include <parbench/registry.hpp>
#include <parbench/simple_workload.hpp>
#include <parbench/workload.hpp>

namespace {

class EmptyExperiment final : public parbench::Experiment {
 public:
  void work(const parbench::WorkerContext& /*ctx*/) override {}
  parbench::Metrics after_rep(const parbench::RepInfo& /*rep*/,
                              const parbench::RunResult& /*run*/) override {
    return {};
  }
  [[nodiscard]] double work_units(const parbench::RepInfo& /*rep*/) const override { return 1; }
};

class EmptyFull final : public parbench::Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "empty_full"; }
  [[nodiscard]] std::string_view summary() const override { return "nothing, full form"; }
  [[nodiscard]] std::string_view work_unit() const override { return "calls"; }
  [[nodiscard]] std::vector<parbench::ParamSpec> params() const override { return {}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {};
  }
  [[nodiscard]] std::unique_ptr<parbench::Experiment> prepare(
      const parbench::PrepareInfo& /*info*/) const override {
    return std::make_unique<EmptyExperiment>();
  }
};

}  // namespace

PARBENCH_REGISTER_WORKLOAD(EmptyFull);

static const bool registered = parbench::register_simple_workload({
    .name = "empty_short",
    .unit = "calls",
    .items = 1,
    .work = [](const parbench::SimpleWorker& /*w*/) { return std::uint64_t{0}; },
    .check = [](const parbench::SimpleCheck& /*c*/) { return std::string(); },
});
