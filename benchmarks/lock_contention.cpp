// lock_contention: W workers loop for `duration_ms`: acquire, critical section of cs_ns, release,
// outside work of outside_ns (both calibrated busy loops, busy_work.hpp). The protected counter is
// updated with a plain load and store (not an atomic add), so it comes out exact only if the lock
// really excludes; it must equal the sum of the per-worker counts. Reports throughput, fairness
// (Jain's index), how often the lock changes hands, and sampled acquire latency.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>

#include "busy_work.hpp"
#include "clock.hpp"
#include "locks/lock.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

constexpr int kSampleEvery = 8;         // time one acquisition in 8
constexpr std::size_t kSamples = 4096;  // per worker per repetition

struct alignas(kCacheLine) WorkerCounts {
  std::uint64_t ops = 0;
  std::uint64_t handoffs = 0;  // acquisitions that followed another worker's
  std::uint64_t samples = 0;
};

struct alignas(kCacheLine) Protected {
  std::uint64_t counter = 0;
  std::uint32_t last_owner = 0xFFFFFFFF;
};

class ContentionExperiment final : public Experiment {
 public:
  explicit ContentionExperiment(const PrepareInfo& info)
      : kind_(find_lock(info.params.get("lock"))),
        cs_ns_(info.params.get_int("cs_ns")),
        outside_ns_(info.params.get_int("outside_ns")),
        duration_ns_(info.params.get_int("duration_ms") * 1'000'000),
        lock_(kind_->create(info.arena, info.max_workers)),
        shared_(info.arena.make_one<Protected>()),
        counts_(info.arena.make<WorkerCounts>(static_cast<std::size_t>(info.max_workers))),
        acquire_ns_(
            info.arena.make<std::int64_t>(kSamples * static_cast<std::size_t>(info.max_workers))),
        held_ns_(
            info.arena.make<std::int64_t>(kSamples * static_cast<std::size_t>(info.max_workers))) {}

  void before_rep(const RepInfo& rep) override {
    if (auto why = kind_->not_applicable(rep.traits)) throw Unsupported(*why);
    shared_ = Protected{};
    for (auto& c : counts_) c = WorkerCounts{};
  }
  void before_gate(const WorkerContext& ctx) override { lock_->attach(ctx.index); }

  void work(const WorkerContext& ctx) override {
    WorkerCounts& mine = counts_[static_cast<std::size_t>(ctx.index)];
    std::int64_t* samples = acquire_ns_.data() + static_cast<std::ptrdiff_t>(kSamples) * ctx.index;
    std::int64_t* held = held_ns_.data() + static_cast<std::ptrdiff_t>(kSamples) * ctx.index;
    const auto me = static_cast<std::uint32_t>(ctx.index);
    std::atomic_ref<std::uint64_t> counter(shared_.counter);
    std::atomic_ref<std::uint32_t> owner(shared_.last_owner);
    const std::int64_t end = now_ns() + duration_ns_;
    std::uint64_t ops = 0, handoffs = 0, taken = 0;
    for (;;) {
      const bool sample = ops % kSampleEvery == 0 && taken < kSamples;
      const std::int64_t t0 = sample ? now_ns() : 0;
      lock_->lock(ctx.index);
      const std::int64_t t1 = sample ? now_ns() : 0;
      if (sample) samples[taken] = t1 - t0;
      if (kind_->lock_free()) {
        counter.fetch_add(1, std::memory_order_relaxed);
      } else {
        // Load and store, not an atomic add: a lock that does not exclude loses updates here.
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        if (owner.load(std::memory_order_relaxed) != me) {
          ++handoffs;
          owner.store(me, std::memory_order_relaxed);
        }
      }
      busy_for(cs_ns_);
      lock_->unlock(ctx.index);
      // The critical section as it really ran, from acquired to released (no clock read in it).
      if (sample) held[taken++] = now_ns() - t1;
      ++ops;
      busy_for(outside_ns_);
      if (ops % 16 == 0 && now_ns() >= end) break;
    }
    mine.ops = ops;
    mine.handoffs = handoffs;
    mine.samples = taken;
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    std::uint64_t total = 0, handoffs = 0;
    double sum_sq = 0;
    std::vector<double> acquire, held;
    for (int w = 0; w < rep.workers; ++w) {
      const WorkerCounts& c = counts_[static_cast<std::size_t>(w)];
      total += c.ops;
      handoffs += c.handoffs;
      sum_sq += static_cast<double>(c.ops) * static_cast<double>(c.ops);
      const std::int64_t* s = acquire_ns_.data() + static_cast<std::ptrdiff_t>(kSamples) * w;
      acquire.insert(acquire.end(), s, s + c.samples);
      const std::int64_t* h = held_ns_.data() + static_cast<std::ptrdiff_t>(kSamples) * w;
      held.insert(held.end(), h, h + c.samples);
    }
    if (shared_.counter != total) {
      throw VerificationError(fmt::format(
          "{}: protected counter is {} but the workers counted {} (mutual exclusion broken)",
          kind_->name(), shared_.counter, total));
    }
    std::sort(acquire.begin(), acquire.end());
    std::sort(held.begin(), held.end());
    const double n = rep.workers, t = static_cast<double>(total);
    Metrics m = {{"ops_per_s", t / (static_cast<double>(run.wall_ns) * 1e-9)},
                 {"jain", sum_sq > 0 ? t * t / (n * sum_sq) : 1.0},
                 {"acq_p50_ns", quantile_sorted(acquire, 0.5)},
                 {"acq_p99_ns", quantile_sorted(acquire, 0.99)},
                 {"acq_max_ns", acquire.empty() ? 0.0 : acquire.back()},
                 {"cs_p50_ns", quantile_sorted(held, 0.5)}};
    if (!kind_->lock_free())
      m.emplace_back("handoff_rate", total > 0 ? static_cast<double>(handoffs) / t : 0.0);
    return m;
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    std::uint64_t total = 0;
    for (int w = 0; w < rep.workers; ++w) total += counts_[static_cast<std::size_t>(w)].ops;
    return static_cast<double>(total);
  }

 private:
  const LockKind* kind_;
  std::int64_t cs_ns_, outside_ns_, duration_ns_;
  std::unique_ptr<Lock> lock_;
  Protected& shared_;
  std::span<WorkerCounts> counts_;
  std::span<std::int64_t> acquire_ns_;
  std::span<std::int64_t> held_ns_;  // sampled critical sections, from acquired to release
};

class LockContention final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "lock_contention"; }
  [[nodiscard]] ReportRole report_role() const override {
    return {"handoff", "",
            SyncTable{"Locks: acquisitions per second by workers; fairness, hand-offs and "
                      "acquire p99 at the most workers",
                      "lock",
                      "cs_ns",
                      "ops_per_s",
                      true,
                      "si",
                      {{"jain", "jain", "fixed2"},
                       {"handoff", "handoff_rate", "fixed2"},
                       {"acq p99", "acq_p99_ns", "duration"},
                       {"of limit", "of_limit", "percent"}}},
            ""};
  }
  [[nodiscard]] std::string_view summary() const override {
    return "W workers take one lock for a duration: throughput, fairness, hand-offs, acquire "
           "latency per lock kind";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "acquisitions"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::choice("lock", "lock kind (parbench list shows them all)", lock_names(),
                          lock_names()),
        ParamSpec::integer("cs_ns",
                           "busy work inside the critical section, ns (a calibrated instruction "
                           "loop; cs_p50_ns reports the length it really had)",
                           {"0", "100"}, 0, 100'000'000),
        ParamSpec::integer("outside_ns",
                           "busy work between a release and the next acquire, ns (calibrated "
                           "loop)",
                           {"0"}, 0, 100'000'000),
        ParamSpec::integer("duration_ms", "how long every worker keeps acquiring, per repetition",
                           {"100"}, 1, 3'600'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {
        {"ops_per_s", "lock acquisitions per second, all workers", B::Higher},
        {"jain", "Jain's fairness index of the workers' acquisition counts (1 = equal)", B::Higher},
        {"handoff_rate", "share of acquisitions that followed a different worker's", B::Higher},
        {"acq_p50_ns", "median time to acquire (sampled, 1 in 8)", B::Lower},
        {"acq_p99_ns", "99th percentile time to acquire", B::Lower},
        {"acq_max_ns", "slowest sampled acquisition", B::Lower},
        {"cs_p50_ns",
         "median time from acquired to released (cs_ns of calibrated busy work, the protected "
         "update, the release; sampled with acq)",
         B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int cpus) const override {
    return {1, 2, 2 * std::max(cpus, 1)};  // past the core count on purpose: preempted waiters
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"duration_ms", "5"}, {"cs_ns", "0"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<ContentionExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_lock_contention() { return std::make_unique<LockContention>(); }

}  // namespace parbench
