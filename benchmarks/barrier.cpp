// barrier: W workers cross one barrier again and again for `duration_ms`; the cost of a crossing
// (the time from one release to the next, all W arriving in between) per mechanism:
//   pthread      pthread_barrier_t, process-shared
//   std_barrier  std::barrier (threads only: its waits are keyed on one address space)
//   futex        a central counter and a generation word; waiters sleep on the generation
//   spin         the same, but waiters spin on the generation (fast while every worker has a CPU;
//                a preempted worker stalls everyone when they do not)
// Verified on every crossing: before arriving each worker publishes the round it is in, and after
// the release it checks that its neighbour has reached that round too (a barrier that lets anyone
// through early is caught). Whether to go on is decided by worker 0 and read by all after the
// crossing, so every worker does the same number of rounds, which is checked as well.
#include <fmt/core.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <climits>
#include <cstring>
#include <memory>

#include "clock.hpp"
#include "futex.hpp"
#include "stats.hpp"
#include "sys_error.hpp"
#include "workload.hpp"

namespace parbench {
namespace {
// Named, so a unity build can put this file beside others with the same local names.
namespace barrier_wl {

enum class Mechanism { Pthread, StdBarrier, Futex, Spin };

Mechanism parse_mechanism(const std::string& name) {
  if (name == "pthread") return Mechanism::Pthread;
  if (name == "std_barrier") return Mechanism::StdBarrier;
  if (name == "futex") return Mechanism::Futex;
  return Mechanism::Spin;
}

constexpr std::size_t kSamples = 1 << 16;  // crossing times kept per repetition (worker 0)

struct alignas(kCacheLine) Central {
  std::uint32_t arrived = 0;
  alignas(kCacheLine) std::uint32_t generation = 0;  // bumped by the last arrival: the release
  alignas(kCacheLine) std::uint32_t go[2] = {1,
                                             1};  // worker 0's decision for round r, in go[r % 2]
  pthread_barrier_t pthread_barrier;
};

struct alignas(kCacheLine) WorkerState {
  std::uint64_t round = 0;  // the round this worker has arrived at (published before arriving)
  std::uint64_t rounds = 0;
  std::uint64_t early = 0;    // crossings where the neighbour had not arrived yet
  std::uint64_t samples = 0;  // worker 0: crossing times recorded
};

class BarrierExperiment final : public Experiment {
 public:
  explicit BarrierExperiment(const PrepareInfo& info)
      : mechanism_(parse_mechanism(info.params.get("mechanism"))),
        duration_ns_(info.params.get_int("duration_ms") * 1'000'000),
        central_(info.arena.make_one<Central>()),
        states_(info.arena.make<WorkerState>(static_cast<std::size_t>(info.max_workers))),
        crossing_ns_(info.arena.make<std::int64_t>(kSamples)) {}

  void before_rep(const RepInfo& rep) override {
    if (mechanism_ == Mechanism::StdBarrier && !rep.traits.shares_address_space) {
      throw Unsupported("std::barrier wakes its waiters within one address space: threads only");
    }
    central_.arrived = 0;
    central_.generation = 0;
    central_.go[0] = central_.go[1] = 1;
    for (auto& s : states_) s = WorkerState{};
    // Initialized afresh each repetition: a failed one may have left waiters that no longer exist.
    std::memset(static_cast<void*>(&central_.pthread_barrier), 0, sizeof central_.pthread_barrier);
    pthread_barrierattr_t a;
    pthread_barrierattr_init(&a);
    pthread_barrierattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    check_errno(
        pthread_barrier_init(&central_.pthread_barrier, &a, static_cast<unsigned>(rep.workers)),
        "pthread_barrier_init");
    pthread_barrierattr_destroy(&a);
    std_barrier_ = std::make_unique<std::barrier<>>(rep.workers);
  }

  void work(const WorkerContext& ctx) override {
    const auto me = static_cast<std::size_t>(ctx.index);
    const auto next = static_cast<std::size_t>((ctx.index + 1) % ctx.workers);
    std::atomic_ref<std::uint64_t> my_round(states_[me].round);
    std::atomic_ref<std::uint64_t> their_round(states_[next].round);
    const bool leader = ctx.index == 0;
    const std::int64_t end = now_ns() + duration_ns_;
    std::int64_t last = now_ns();
    std::uint64_t r = 0, early = 0;
    std::size_t taken = 0;
    for (;;) {
      ++r;
      if (leader) {
        std::atomic_ref<std::uint32_t>(central_.go[r % 2])
            .store(now_ns() < end ? 1 : 0, std::memory_order_relaxed);
      }
      my_round.store(r, std::memory_order_release);
      arrive_and_wait(ctx.workers);
      if (their_round.load(std::memory_order_acquire) < r) ++early;
      if (leader && taken < kSamples) {
        const std::int64_t t = now_ns();
        crossing_ns_[taken++] = t - last;
        last = t;
      }
      if (std::atomic_ref<std::uint32_t>(central_.go[r % 2]).load(std::memory_order_relaxed) == 0)
        break;
    }
    states_[me].rounds = r;
    states_[me].early = early;
    states_[me].samples = taken;
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    const std::uint64_t rounds = states_[0].rounds;
    for (int w = 0; w < rep.workers; ++w) {
      const WorkerState& s = states_[static_cast<std::size_t>(w)];
      if (s.early != 0) {
        throw VerificationError(fmt::format(
            "{} barrier released worker {} early {} time(s): its neighbour had not arrived",
            mechanism_name(), w, s.early));
      }
      if (s.rounds != rounds) {
        throw VerificationError(
            fmt::format("worker {} crossed {} times, worker 0 {}", w, s.rounds, rounds));
      }
    }
    std::vector<double> t(crossing_ns_.begin(),
                          crossing_ns_.begin() + static_cast<std::ptrdiff_t>(states_[0].samples));
    std::sort(t.begin(), t.end());
    return {{"crossings_per_s",
             static_cast<double>(rounds) / (static_cast<double>(run.wall_ns) * 1e-9)},
            {"crossing_p50_ns", quantile_sorted(t, 0.5)},
            {"crossing_p99_ns", quantile_sorted(t, 0.99)}};
  }

  [[nodiscard]] double work_units(const RepInfo& /*rep*/) const override {
    return static_cast<double>(states_[0].rounds);
  }

 private:
  [[nodiscard]] std::string_view mechanism_name() const {
    switch (mechanism_) {
      case Mechanism::Pthread:
        return "pthread";
      case Mechanism::StdBarrier:
        return "std_barrier";
      case Mechanism::Futex:
        return "futex";
      case Mechanism::Spin:
        return "spin";
    }
    return "";
  }

  void arrive_and_wait(int workers) {
    switch (mechanism_) {
      case Mechanism::Pthread: {
        const int rc = pthread_barrier_wait(&central_.pthread_barrier);
        if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) throw_sys("pthread_barrier_wait", rc);
        return;
      }
      case Mechanism::StdBarrier:
        std_barrier_->arrive_and_wait();
        return;
      case Mechanism::Futex:
      case Mechanism::Spin: {
        std::atomic_ref<std::uint32_t> arrived(central_.arrived), generation(central_.generation);
        const std::uint32_t gen = generation.load(std::memory_order_acquire);
        if (arrived.fetch_add(1, std::memory_order_acq_rel) + 1 ==
            static_cast<std::uint32_t>(workers)) {
          arrived.store(0, std::memory_order_relaxed);  // nobody arrives again before the release
          generation.store(gen + 1, std::memory_order_release);
          if (mechanism_ == Mechanism::Futex) futex_wake(&central_.generation);
          return;
        }
        if (mechanism_ == Mechanism::Futex) {
          while (generation.load(std::memory_order_acquire) == gen)
            futex_wait(&central_.generation, gen);
        } else {
          while (generation.load(std::memory_order_acquire) == gen) cpu_relax();
        }
        return;
      }
    }
  }

  Mechanism mechanism_;
  std::int64_t duration_ns_;
  Central& central_;
  std::span<WorkerState> states_;
  std::span<std::int64_t> crossing_ns_;
  std::unique_ptr<std::barrier<>> std_barrier_;
};

class BarrierWorkload final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "barrier"; }
  [[nodiscard]] ReportRole report_role() const override {
    return {"crossing", "",
            SyncTable{"Barriers: median time per crossing by workers; crossings per "
                      "second at the most workers",
                      "mechanism",
                      "",
                      "crossing_p50_ns",
                      false,
                      "duration",
                      {{"per s", "crossings_per_s", "si"},
                       {"p99", "crossing_p99_ns", "duration"},
                       {"of limit", "of_limit", "percent"}}},
            ""};
  }
  [[nodiscard]] std::string_view summary() const override {
    return "W workers cross one barrier repeatedly: crossings per second and time per crossing "
           "(pthread, "
           "std::barrier, futex, spin)";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "crossings"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    const std::vector<std::string> all = {"pthread", "std_barrier", "futex", "spin"};
    return {ParamSpec::choice("mechanism", "the barrier", all, all),
            ParamSpec::integer("duration_ms", "how long the workers keep crossing, per repetition",
                               {"100"}, 1, 3'600'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {
        {"crossings_per_s", "barrier crossings per second (every worker crosses each one)",
         B::Higher},
        {"crossing_p50_ns", "median time from one release to the next, seen by worker 0", B::Lower},
        {"crossing_p99_ns", "99th percentile of the same", B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int cpus) const override {
    return {2, 2 * std::max(cpus, 1)};
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"duration_ms", "5"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<BarrierExperiment>(info);
  }
};

}  // namespace barrier_wl
}  // namespace

std::unique_ptr<Workload> make_barrier() { return std::make_unique<barrier_wl::BarrierWorkload>(); }

}  // namespace parbench
