// sleep: each worker waits `ms` milliseconds, the stand-in for I/O-bound work. N workers should
// finish in about one sleep, not N: concurrency without CPU. Checks that every worker really slept
// at least the requested time; reports how late the wake-ups were.
#include <fmt/core.h>
#include <time.h>

#include <algorithm>

#include "clock.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

class SleepExperiment final : public Experiment {
 public:
  explicit SleepExperiment(const PrepareInfo& info)
      : ms_(info.params.get_int("ms")),
        slept_ns_(
            info.arena.make<Padded<std::int64_t>>(static_cast<std::size_t>(info.max_workers))) {}

  void before_rep(const RepInfo& /*rep*/) override {
    for (auto& s : slept_ns_) s.value = 0;
  }

  void work(const WorkerContext& ctx) override {
    const std::int64_t start = now_ns();
    timespec ts{static_cast<time_t>(ms_ / 1000), static_cast<long>((ms_ % 1000) * 1'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
    slept_ns_[static_cast<std::size_t>(ctx.index)].value = now_ns() - start;
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    const std::int64_t want = ms_ * 1'000'000;
    std::int64_t max_late = 0;
    for (int i = 0; i < rep.workers; ++i) {
      const std::int64_t slept = slept_ns_[static_cast<std::size_t>(i)].value;
      if (slept < want) {
        throw VerificationError(
            fmt::format("sleep: worker {} slept {} ns, less than the {} ns asked", i, slept, want));
      }
      max_late = std::max(max_late, slept - want);
    }
    return {{"max_oversleep_ns", static_cast<double>(max_late)}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override { return rep.workers; }

 private:
  std::int64_t ms_;
  std::span<Padded<std::int64_t>> slept_ns_;
};

class Sleep final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "sleep"; }
  [[nodiscard]] std::string_view summary() const override {
    return "I/O-bound stand-in: every worker sleeps ms milliseconds; N workers should take one "
           "sleep, not N";
  }
  [[nodiscard]] ReportRole report_role() const override { return {"sleep", "", std::nullopt, ""}; }
  [[nodiscard]] std::string_view work_unit() const override { return "sleeps"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {ParamSpec::integer("ms", "how long each worker sleeps, in milliseconds", {"50"}, 0,
                               3'600'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    return {{"max_oversleep_ns", "latest wake-up past the requested time, over the workers",
             MetricSpec::Better::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override {
    return {1, 2, 4, 10};  // past the core count on purpose: sleeping needs no CPU
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"ms", "2"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<SleepExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_sleep() { return std::make_unique<Sleep>(); }

}  // namespace parbench
