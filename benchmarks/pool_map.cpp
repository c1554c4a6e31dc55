// pool_map: Pool.map over many small tasks, the pattern a pool exists for. Each worker makes a pool
// (`pool`: threads, processes, or a process forked per chunk), maps `tasks` tasks over it in
// chunks of `chunksize`, and closes it. A task sums `task_terms` squares; every result is checked
// against the closed form, in input order. What a pool saves shows as the difference between
// `process` and `fresh_process`; what chunking saves, between chunksize 1 and larger.
#include <benchmark/benchmark.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>

#include "clock.hpp"
#include "pool.hpp"
#include "split.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

// Sum of (x + k)^2 for k in [0, terms), modulo 2^64.
std::int64_t sum_squares_task(std::span<const std::int64_t> a) {
  std::uint64_t acc = 0;
  const auto x = static_cast<std::uint64_t>(a[0]);
  for (std::uint64_t k = 0; k < static_cast<std::uint64_t>(a[1]); ++k) {
    std::uint64_t v = x + k;
    benchmark::DoNotOptimize(v);  // a loop to run, not a closed form for the compiler to find
    acc += v * v;
  }
  return static_cast<std::int64_t>(acc);
}

std::uint64_t expected_task(std::int64_t x, std::int64_t terms) {
  return sum_squares_below(x + terms) - sum_squares_below(x);
}

struct PoolTimes {
  std::int64_t start_ns = 0;   // Pool::make
  std::int64_t map_ns = 0;     // the map call
  std::int64_t stop_ns = 0;    // closing the pool and reaping its workers
  std::uint64_t checksum = 0;  // sum of (i + 1) * result[i]: wrong order or value changes it
  std::int64_t results = 0;
  std::int64_t replaced = 0;
};

class PoolMapExperiment final : public Experiment {
 public:
  explicit PoolMapExperiment(const PrepareInfo& info)
      : kind_(info.params.get("pool")),
        tasks_(info.params.get_int("tasks")),
        chunksize_(static_cast<int>(info.params.get_int("chunksize"))),
        terms_(info.params.get_int("task_terms")),
        pool_workers_(static_cast<int>(info.params.get_int("pool_workers"))),
        times_(info.arena.make<Padded<PoolTimes>>(static_cast<std::size_t>(info.max_workers))),
        pools_(static_cast<std::size_t>(info.max_workers)) {
    if (pool_workers_ == 0)
      pool_workers_ = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    // One task run inline, the work a pool worker does per task without any pool around it.
    std::vector<double> one;
    for (int i = 0; i < 21; ++i) {
      const std::int64_t args[] = {i, terms_};
      const std::int64_t t0 = now_ns();
      benchmark::DoNotOptimize(sum_squares_task(args));
      one.push_back(static_cast<double>(now_ns() - t0));
    }
    std::sort(one.begin(), one.end());
    task_ns_ = quantile_sorted(one, 0.5);
  }

  void before_rep(const RepInfo& /*rep*/) override {
    for (auto& t : times_) t.value = PoolTimes{};
  }

  void before_gate(const WorkerContext& ctx) override {
    const std::int64_t t0 = now_ns();
    pools_[static_cast<std::size_t>(ctx.index)] = Pool::make(kind_, pool_workers_);
    times_[static_cast<std::size_t>(ctx.index)].value.start_ns = now_ns() - t0;
  }

  void work(const WorkerContext& ctx) override {
    PoolTimes& t = times_[static_cast<std::size_t>(ctx.index)].value;
    auto& pool = pools_[static_cast<std::size_t>(ctx.index)];
    std::vector<std::vector<std::int64_t>> args(static_cast<std::size_t>(tasks_));
    for (std::int64_t i = 0; i < tasks_; ++i)
      args[static_cast<std::size_t>(i)] = {first(ctx.index) + i, terms_};
    const std::int64_t t0 = now_ns();
    const auto results = pool->starmap(sum_squares_task, args, chunksize_);
    const std::int64_t t1 = now_ns();
    t.replaced = pool->replaced_workers();
    pool.reset();
    t.stop_ns = now_ns() - t1;
    t.map_ns = t1 - t0;
    for (std::size_t i = 0; i < results.size(); ++i)
      t.checksum += (i + 1) * static_cast<std::uint64_t>(results[i]);
    t.results = static_cast<std::int64_t>(results.size());
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    std::vector<double> map_ns, start_ns, stop_ns;
    for (int w = 0; w < rep.workers; ++w) {
      const PoolTimes& t = times_[static_cast<std::size_t>(w)].value;
      std::uint64_t expected = 0;
      for (std::int64_t i = 0; i < tasks_; ++i)
        expected += static_cast<std::uint64_t>(i + 1) * expected_task(first(w) + i, terms_);
      if (t.results != tasks_ || t.checksum != expected) {
        throw VerificationError(
            fmt::format("pool_map: worker {} got {} of {} results with checksum {}, expected {}", w,
                        t.results, tasks_, t.checksum, expected));
      }
      if (t.replaced != 0) {
        throw VerificationError(
            fmt::format("pool_map: worker {}'s pool replaced {} dead processes", w, t.replaced));
      }
      map_ns.push_back(static_cast<double>(t.map_ns));
      start_ns.push_back(static_cast<double>(t.start_ns));
      stop_ns.push_back(static_cast<double>(t.stop_ns));
    }
    const double map = *std::max_element(map_ns.begin(), map_ns.end());
    const double per_task = map / static_cast<double>(tasks_);
    return {{"map_ns", map},
            {"per_task_ns", per_task},
            {"task_ns", task_ns_},
            {"overhead_ns", per_task * pool_workers_ - task_ns_},
            {"pool_start_ns", *std::max_element(start_ns.begin(), start_ns.end())},
            {"pool_stop_ns", *std::max_element(stop_ns.begin(), stop_ns.end())},
            {"pool_size", static_cast<double>(pool_workers_)}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(tasks_ * rep.workers);
  }

 private:
  [[nodiscard]] std::int64_t first(int worker) const { return worker * tasks_; }

  std::string kind_;  // one of pool_kinds()
  std::int64_t tasks_;
  int chunksize_;
  std::int64_t terms_;
  int pool_workers_;
  double task_ns_ = 0;
  std::span<Padded<PoolTimes>> times_;
  std::vector<std::unique_ptr<Pool>> pools_;  // each worker's own, made before its gate
};

class PoolMapWorkload final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "pool_map"; }
  [[nodiscard]] std::string_view summary() const override {
    return "Pool.map of many small tasks on a thread pool, a process pool, or a process per "
           "chunk: throughput and per-task overhead against chunksize and task size";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "tasks"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::choice("pool",
                          "thread: a thread pool; process: a process pool; fresh_process: a new "
                          "process for every chunk (no pool)",
                          pool_kinds(), pool_kinds()),
        ParamSpec::integer("tasks", "tasks each worker maps", {"500"}, 1, 10'000'000),
        ParamSpec::integer("chunksize",
                           "tasks per hand-over to a pool worker (0: Python's default, "
                           "tasks / (4 x pool_workers))",
                           {"1", "16"}, 0, 1'000'000),
        ParamSpec::integer("task_terms", "squares summed by one task (0: an empty task)",
                           {"0", "20000"}, 0, 1'000'000'000),
        ParamSpec::integer("pool_workers", "workers in each pool (0: one per online CPU)", {"0"}, 0,
                           1024)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"map_ns", "time of the map call (the slowest worker's)", B::Lower},
            {"per_task_ns", "map_ns / tasks", B::Lower},
            {"task_ns", "one task run inline, without a pool (median of 21)", B::Lower},
            {"overhead_ns",
             "per-task cost beyond the task itself, in pool-worker time: per_task_ns x "
             "pool_workers - task_ns",
             B::Lower},
            {"pool_start_ns", "making the pool (before the gate, untimed)", B::Lower},
            {"pool_stop_ns", "closing the pool and reaping its workers", B::Lower},
            {"pool_size", "workers in each pool (pool_workers=0 resolved)", B::Higher}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {1}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"tasks", "20"}, {"task_terms", "100"}, {"chunksize", "3"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<PoolMapExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_pool_map() { return std::make_unique<PoolMapWorkload>(); }

}  // namespace parbench
