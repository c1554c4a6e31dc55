#include "simple_workload.hpp"

#include <fmt/core.h>

#include "registry.hpp"
#include "split.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

class SimpleExperiment final : public Experiment {
 public:
  SimpleExperiment(const SimpleWorkloadSpec& spec, const PrepareInfo& info)
      : spec_(spec),
        params_(info.params),
        items_(info.params.get_int("items")),
        scaling_(info.params.get("scaling")),
        results_(
            info.arena.make<Padded<std::uint64_t>>(static_cast<std::size_t>(info.max_workers))) {}

  void before_rep(const RepInfo& /*rep*/) override {
    for (auto& r : results_) r.value = 0;
  }

  // Untimed: the worker's result slot mapped in this worker (a shared page's first touch after
  // the fork of a process or of the thread sandbox is a page fault, ~20 us here).
  void before_gate(const WorkerContext& ctx) override {
    results_[static_cast<std::size_t>(ctx.index)].value = 0;
  }

  void work(const WorkerContext& ctx) override {
    const Range r = worker_range(scaling_, items_, ctx.index, ctx.workers);
    const SimpleWorker w{ctx.index, ctx.workers, r.begin, r.end, &params_};
    results_[static_cast<std::size_t>(ctx.index)].value = spec_.work(w);
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    if (!spec_.check) return {};
    std::vector<std::uint64_t> results;
    for (int i = 0; i < rep.workers; ++i)
      results.push_back(results_[static_cast<std::size_t>(i)].value);
    const SimpleCheck c{rep.workers, total_items(scaling_, items_, rep.workers), &params_, results};
    if (std::string why = spec_.check(c); !why.empty())
      throw VerificationError(fmt::format("{}: {}", spec_.name, why));
    return {};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(total_items(scaling_, items_, rep.workers));
  }

  [[nodiscard]] std::span<std::byte> worker_output(int index) override {
    return std::as_writable_bytes(results_.subspan(static_cast<std::size_t>(index), 1));
  }

 private:
  const SimpleWorkloadSpec& spec_;
  ParamValues params_;
  std::int64_t items_;
  std::string scaling_;
  std::span<Padded<std::uint64_t>> results_;
};

class SimpleWorkload final : public Workload {
 public:
  explicit SimpleWorkload(SimpleWorkloadSpec spec) : spec_(std::move(spec)) {}

  [[nodiscard]] std::string_view name() const override { return spec_.name; }
  [[nodiscard]] std::string_view summary() const override { return spec_.summary; }
  [[nodiscard]] std::string_view work_unit() const override { return spec_.unit; }
  [[nodiscard]] bool cpu_bound() const override { return spec_.cpu_bound; }
  [[nodiscard]] bool memory_bound() const override { return spec_.memory_bound; }
  [[nodiscard]] bool checks_result() const override { return static_cast<bool>(spec_.check); }
  // Workers share only their returned values, which worker_output carries to rank 0.
  [[nodiscard]] bool runs_on_mpi() const override { return true; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> out = {
        ParamSpec::integer(
            "items",
            fmt::format("{} of one repetition (strong: in total; weak: per worker)", spec_.unit),
            {std::to_string(spec_.items)}, 1, 1'000'000'000'000'000),
        ParamSpec::choice("scaling", "strong: fixed total work split; weak: fixed work per worker",
                          {"strong"}, {"strong", "weak"})};
    out.insert(out.end(), spec_.params.begin(), spec_.params.end());
    return out;
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"items", std::to_string(std::min<std::int64_t>(spec_.items, 10'000))}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    if (!spec_.work) throw VerificationError(fmt::format("{}: no work function", spec_.name));
    return std::make_unique<SimpleExperiment>(spec_, info);
  }

 private:
  SimpleWorkloadSpec spec_;
};

}  // namespace

bool register_simple_workload(SimpleWorkloadSpec spec) {
  if (!spec.work) {
    report_registration_problem(
        fmt::format("workload '{}' has no work function (SimpleWorkloadSpec::work)", spec.name));
  }
  return register_workload([spec = std::move(spec)]() -> std::unique_ptr<Workload> {
    return std::make_unique<SimpleWorkload>(spec);
  });
}

}  // namespace parbench
