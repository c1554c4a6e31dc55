// mem_sum: summing a large array of uint64 in shared memory, memory-bandwidth bound: the workload
// that shows where speedup stops once the memory bus, not the cores, is the limit.
// The array holds a[i] = i, so every pass is checked against n(n-1)/2.
#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include "prefault.hpp"
#include "read_words.hpp"
#include "split.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

class MemSumExperiment final : public Experiment {
 public:
  explicit MemSumExperiment(const PrepareInfo& info)
      : elements_(info.params.get_int("bytes") / static_cast<std::int64_t>(sizeof(std::uint64_t))),
        passes_(info.params.get_int("passes")),
        scaling_(info.params.get("scaling")),
        partial_(
            info.arena.make<Padded<std::uint64_t>>(static_cast<std::size_t>(info.max_workers))) {
    // Filled once per experiment in the coordinator, before any worker maps it: the array then
    // exists in physical memory and workers time reading it, not first-touch page faults.
    const std::int64_t total = total_items(scaling_, elements_, info.max_workers);
    data_ = info.arena.make<std::uint64_t>(static_cast<std::size_t>(total));
    for (std::int64_t i = 0; i < total; ++i)
      data_[static_cast<std::size_t>(i)] = static_cast<std::uint64_t>(i);
  }

  void before_rep(const RepInfo& /*rep*/) override {
    for (auto& p : partial_) p.value = 0;
  }

  void before_gate(const WorkerContext& ctx) override {
    const Range r = worker_range(scaling_, elements_, ctx.index, ctx.workers);
    prefault(data_.data() + r.begin,
             static_cast<std::size_t>(r.end - r.begin) * sizeof(std::uint64_t), false);
  }

  void work(const WorkerContext& ctx) override {
    const Range r = worker_range(scaling_, elements_, ctx.index, ctx.workers);
    const std::uint64_t* first = data_.data() + r.begin;
    const auto count = static_cast<std::size_t>(r.end - r.begin);
    std::uint64_t acc = 0;
    for (std::int64_t pass = 0; pass < passes_; ++pass) {
      benchmark::ClobberMemory();       // each pass must read memory again, not reuse the last sum
      acc += read_words(first, count);  // the loop the limits' memory probe reads with
    }
    benchmark::DoNotOptimize(acc);
    partial_[static_cast<std::size_t>(ctx.index)].value = acc;
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    std::uint64_t total = 0;
    for (int i = 0; i < rep.workers; ++i) total += partial_[static_cast<std::size_t>(i)].value;
    const auto n = static_cast<std::uint64_t>(total_items(scaling_, elements_, rep.workers));
    const std::uint64_t half = n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
    const std::uint64_t expected = half * static_cast<std::uint64_t>(passes_);
    if (total != expected) {
      throw VerificationError(
          fmt::format("mem_sum: array sum is {}, expected {}", total, expected));
    }
    const double bytes = work_units(rep);
    return {{"mb_per_s",
             run.wall_ns > 0 ? bytes / (static_cast<double>(run.wall_ns) * 1e-9) / 1e6 : 0.0}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(total_items(scaling_, elements_, rep.workers)) *
           sizeof(std::uint64_t) * static_cast<double>(passes_);
  }

 private:
  std::int64_t elements_;
  std::int64_t passes_;
  std::string scaling_;
  std::span<Padded<std::uint64_t>> partial_;
  std::span<std::uint64_t> data_;
};

class MemSum final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "mem_sum"; }
  [[nodiscard]] std::string_view summary() const override {
    return "memory-bound: sum a large shared array, split across workers; shows where bandwidth, "
           "not cores, limits speedup";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "bytes"; }
  [[nodiscard]] bool cpu_bound() const override { return true; }
  [[nodiscard]] bool memory_bound() const override { return true; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::integer("bytes", "array size (strong: in total; weak: per worker)", {"256Mi"},
                           4096, std::int64_t{64} << 30),
        ParamSpec::integer("passes", "times each worker reads its part", {"4"}, 1, 1000),
        ParamSpec::choice("scaling", "strong: fixed array split; weak: an array part per worker",
                          {"strong"}, {"strong", "weak"})};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    return {{"mb_per_s", "bytes read per second over the timed region, in 1e6 bytes",
             MetricSpec::Better::Higher}};
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"bytes", "1Mi"}, {"passes", "2"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<MemSumExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_mem_sum() { return std::make_unique<MemSum>(); }

}  // namespace parbench
