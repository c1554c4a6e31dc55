// cpu_sum: the sum of i*i for i in [0, n), split across workers: the classic CPU-bound task of the
// "threads versus processes" demonstrations. Checked against the closed form n(n-1)(2n-1)/6.
// extra_pct adds that many percent more terms that are computed and checked but not counted as
// work: a known slowdown, for proving that a regression gate catches one (parbench compare
// --ignore-param extra_pct).
#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include "split.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

class CpuSumExperiment final : public Experiment {
 public:
  explicit CpuSumExperiment(const PrepareInfo& info)
      : n_(info.params.get_int("n")),
        computed_n_(n_ + n_ * info.params.get_int("extra_pct") / 100),
        scaling_(info.params.get("scaling")),
        partial_(
            info.arena.make<Padded<std::uint64_t>>(static_cast<std::size_t>(info.max_workers))) {}

  void before_rep(const RepInfo& /*rep*/) override {
    for (auto& p : partial_) p.value = 0;
  }

  void work(const WorkerContext& ctx) override {
    const Range r = worker_range(scaling_, computed_n_, ctx.index, ctx.workers);
    std::uint64_t acc = 0;
    for (auto i = static_cast<std::uint64_t>(r.begin); i < static_cast<std::uint64_t>(r.end); ++i) {
      // Hide i from the optimizer: without this the compiler may replace the loop by its closed
      // form (clang does) or vectorise it, and we would time something else than a plain loop.
      benchmark::DoNotOptimize(i);
      acc += i * i;
    }
    partial_[static_cast<std::size_t>(ctx.index)].value = acc;
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    std::uint64_t total = 0;
    for (int i = 0; i < rep.workers; ++i) total += partial_[static_cast<std::size_t>(i)].value;
    const std::uint64_t expected =
        sum_squares_below(total_items(scaling_, computed_n_, rep.workers));
    if (total != expected) {
      throw VerificationError(
          fmt::format("cpu_sum: sum of squares is {}, closed form says {}", total, expected));
    }
    return {};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(total_items(scaling_, n_, rep.workers));
  }

  [[nodiscard]] std::span<std::byte> worker_output(int index) override {
    return std::as_writable_bytes(partial_.subspan(static_cast<std::size_t>(index), 1));
  }

 private:
  std::int64_t n_;
  std::int64_t computed_n_;  // n plus the injected extra terms
  std::string scaling_;
  std::span<Padded<std::uint64_t>> partial_;
};

class CpuSum final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "cpu_sum"; }
  [[nodiscard]] std::string_view summary() const override {
    return "CPU-bound: sum of i*i over [0, n) split across workers, checked against the closed "
           "form";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "terms"; }
  [[nodiscard]] bool cpu_bound() const override { return true; }
  [[nodiscard]] bool runs_on_mpi() const override { return true; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::integer("n", "terms summed (strong: in total; weak: per worker)", {"6e8"}, 1,
                           1'000'000'000'000),
        ParamSpec::choice("scaling", "strong: fixed total work split; weak: fixed work per worker",
                          {"strong"}, {"strong", "weak"}),
        ParamSpec::integer("extra_pct",
                           "percent more terms computed (and checked) than counted as work: an "
                           "injected slowdown for testing regression gates",
                           {"0"}, 0, 1000)};
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"n", "1e5"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<CpuSumExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_cpu_sum() { return std::make_unique<CpuSum>(); }

}  // namespace parbench
