// lifecycle: multiprocessing.Process's start, is_alive, join and the three ways to stop it, timed.
// Each worker starts `count` children one after another; each child runs, blocks, and is stopped
// with `method` (a shared flag it waits on, SIGTERM, or SIGKILL) and reaped. Percentiles are over
// every child of the repetition.
#include "lifecycle.hpp"

#include <algorithm>

#include "stats.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

class LifecycleExperiment final : public Experiment {
 public:
  explicit LifecycleExperiment(const PrepareInfo& info)
      : method_(info.params.get("method")),
        count_(info.params.get_int("count")),
        n_(static_cast<std::size_t>(count_ * info.max_workers)),
        start_(info.arena.make<std::int64_t>(n_)),
        stop_(info.arena.make<std::int64_t>(n_)),
        polls_(info.arena.make<std::int64_t>(n_)) {}

  void work(const WorkerContext& ctx) override {
    const auto first = static_cast<std::size_t>(ctx.index) * static_cast<std::size_t>(count_);
    for (std::size_t i = first; i < first + static_cast<std::size_t>(count_); ++i) {
      const Lifecycle l = start_and_stop(method_);  // verifies how the child ended; throws if not
      start_[i] = l.start_ns;
      stop_[i] = l.stop_ns;
      polls_[i] = l.alive_polls;
    }
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    const auto n = static_cast<std::ptrdiff_t>(count_ * rep.workers);
    auto sorted = [n](std::span<std::int64_t> s) {
      std::vector<double> v(s.begin(), s.begin() + n);
      std::sort(v.begin(), v.end());
      return v;
    };
    const auto start = sorted(start_), stop = sorted(stop_), polls = sorted(polls_);
    return {{"start_p50_ns", quantile_sorted(start, 0.5)},
            {"start_p99_ns", quantile_sorted(start, 0.99)},
            {"stop_p50_ns", quantile_sorted(stop, 0.5)},
            {"stop_p99_ns", quantile_sorted(stop, 0.99)},
            {"stop_max_ns", stop.back()},
            {"alive_polls_p50", quantile_sorted(polls, 0.5)}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(count_ * rep.workers);
  }

 private:
  std::string method_;
  std::int64_t count_;
  std::size_t n_;
  std::span<std::int64_t> start_, stop_, polls_;
};

class LifecycleWorkload final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "lifecycle"; }
  [[nodiscard]] std::string_view summary() const override {
    return "start a child process, poll is_alive until it runs, stop it (shared flag, SIGTERM or "
           "SIGKILL) and reap it: time to start and time from stop request to reaped";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "lifecycles"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::choice("method",
                          "how each child is stopped: flag (graceful), terminate "
                          "(SIGTERM), kill (SIGKILL)",
                          stop_methods(), stop_methods()),
        ParamSpec::integer("count", "children per worker per repetition", {"200"}, 1, 1'000'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"start_p50_ns", "median time from start to the child running", B::Lower},
            {"start_p99_ns", "99th percentile of the start time", B::Lower},
            {"stop_p50_ns", "median time from the stop request to the child reaped", B::Lower},
            {"stop_p99_ns", "99th percentile of the stop time", B::Lower},
            {"stop_max_ns", "slowest stop of the repetition", B::Lower},
            {"alive_polls_p50", "median is_alive checks before the child ran", B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {1}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"count", "5"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<LifecycleExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_lifecycle() { return std::make_unique<LifecycleWorkload>(); }

}  // namespace parbench
