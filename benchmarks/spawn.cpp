// spawn: the cost of starting and joining one worker, per method (std::thread, fork + exit,
// fork + exec of a trivial program, posix_spawn). Each worker times `count` spawns one after
// another; percentiles are over every spawn of the repetition.
#include <algorithm>
#include <cmath>

#include "clock.hpp"
#include "spawn_methods.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

class SpawnExperiment final : public Experiment {
 public:
  explicit SpawnExperiment(const PrepareInfo& info)
      : method_(info.params.get("method")),
        count_(info.params.get_int("count")),
        samples_(
            info.arena.make<std::int64_t>(static_cast<std::size_t>(count_ * info.max_workers))) {}

  void work(const WorkerContext& ctx) override {
    std::int64_t* out = samples_.data() + static_cast<std::ptrdiff_t>(ctx.index) * count_;
    for (std::int64_t i = 0; i < count_; ++i) {
      const std::int64_t t0 = now_ns();
      spawn_and_join(method_);  // verifies the child ran; throws otherwise
      out[i] = now_ns() - t0;
    }
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    std::vector<double> v(samples_.begin(), samples_.begin() + count_ * rep.workers);
    std::sort(v.begin(), v.end());
    return {{"spawn_p50_ns", quantile_sorted(v, 0.50)},
            {"spawn_p90_ns", quantile_sorted(v, 0.90)},
            {"spawn_p99_ns", quantile_sorted(v, 0.99)},
            {"spawn_max_ns", v.back()}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(count_ * rep.workers);
  }

 private:
  std::string method_;
  std::int64_t count_;
  std::span<std::int64_t> samples_;
};

class Spawn final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "spawn"; }
  [[nodiscard]] std::string_view summary() const override {
    return "cost of starting and joining one worker: std::thread, fork, fork+exec of /bin/true, "
           "posix_spawn";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "spawns"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {ParamSpec::choice("method", "how each unit is started and joined", spawn_methods(),
                              spawn_methods()),
            ParamSpec::integer("count", "spawns per worker per repetition", {"200"}, 1, 1'000'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"spawn_p50_ns", "median time to start and join one unit", B::Lower},
            {"spawn_p90_ns", "90th percentile", B::Lower},
            {"spawn_p99_ns", "99th percentile", B::Lower},
            {"spawn_max_ns", "slowest spawn of the repetition", B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {1}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"count", "5"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<SpawnExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_spawn() { return std::make_unique<Spawn>(); }

}  // namespace parbench
