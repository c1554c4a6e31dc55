// event: one setter (worker 0) and W-1 waiters, the multiprocessing.Event pattern. Each round the
// setter waits until every waiter is blocked on the event, stamps the time and sets it; each waiter
// notes how long after the stamp it was running again. That wake-up latency is the cost of
// signalling a sleeping worker, per mechanism:
//   futex    a shared word and FUTEX_WAKE of all waiters (what std::atomic::notify_all becomes)
//   condvar  a process-shared pthread condition variable and mutex, pthread_cond_broadcast
//   eventfd  one eventfd in semaphore mode; the setter adds W-1, each waiter takes 1
//   pipe     one pipe; the setter writes W-1 bytes, each waiter reads 1
// Every wake-up is verified: the waiter must see exactly the round that was set (a waiter woken
// early, late or twice is a wrong result), and every waiter must see every round.
#include <fcntl.h>
#include <fmt/core.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <span>

#include "channels/fd_channel.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "stats.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"
#include "workload.hpp"

namespace parbench {
namespace {
// Named, so a unity build can put this file beside others with the same local names.
namespace event_wl {

enum class Mechanism { Futex, Condvar, Eventfd, Pipe };

Mechanism parse_mechanism(const std::string& name) {
  if (name == "futex") return Mechanism::Futex;
  if (name == "condvar") return Mechanism::Condvar;
  if (name == "eventfd") return Mechanism::Eventfd;
  return Mechanism::Pipe;
}

struct alignas(kCacheLine) Event {
  std::uint32_t round = 0;  // the event's value: r once round r is set (the futex word)
  std::int64_t set_ns = 0;  // when the setter set the current round
  pthread_mutex_t mutex;
  pthread_cond_t cond;
};

struct alignas(kCacheLine) Acks {
  std::uint32_t count = 0;  // wake-ups acknowledged so far, all rounds (a futex word)
};

struct alignas(kCacheLine) WaiterTally {
  std::uint64_t woken = 0;
  std::uint64_t wrong = 0;  // wake-ups that saw a round other than the one set
  std::uint32_t first_wrong_seen = 0, first_wrong_round = 0;
};

std::uint32_t load(std::uint32_t& word) {
  return std::atomic_ref<std::uint32_t>(word).load(std::memory_order_acquire);
}

// Blocks until `word` >= target.
void wait_at_least(std::uint32_t& word, std::uint32_t target) {
  for (std::uint32_t v = load(word); v < target; v = load(word)) futex_wait(&word, v);
}

class EventExperiment final : public Experiment {
 public:
  explicit EventExperiment(const PrepareInfo& info)
      : mechanism_(parse_mechanism(info.params.get("mechanism"))),
        rounds_(static_cast<std::uint32_t>(info.params.get_int("rounds"))),
        gap_ns_(info.params.get_int("gap_us") * 1000),
        event_(info.arena.make_one<Event>()),
        acks_(info.arena.make_one<Acks>()),
        tallies_(info.arena.make<WaiterTally>(static_cast<std::size_t>(info.max_workers))),
        wake_ns_(info.arena.make<std::int64_t>(static_cast<std::size_t>(rounds_) *
                                               static_cast<std::size_t>(info.max_workers))) {}

  void before_rep(const RepInfo& rep) override {
    if (rep.workers < 2) {
      throw Unsupported("event needs a setter and at least one waiter: 2 or more workers");
    }
    // Fresh state every repetition: a failed repetition may have left a waiter's byte unread or
    // the condition variable with a waiter that no longer exists.
    event_.round = 0;
    event_.set_ns = 0;
    acks_.count = 0;
    for (auto& t : tallies_) t = WaiterTally{};
    std::memset(static_cast<void*>(&event_.mutex), 0, sizeof event_.mutex);
    std::memset(static_cast<void*>(&event_.cond), 0, sizeof event_.cond);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    check_errno(pthread_mutex_init(&event_.mutex, &ma), "pthread_mutex_init");
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    check_errno(pthread_cond_init(&event_.cond, &ca), "pthread_cond_init");
    pthread_condattr_destroy(&ca);
    read_end_.reset();
    write_end_.reset();
    if (mechanism_ == Mechanism::Eventfd) {
      read_end_ = UniqueFd(check_sys(eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC), "eventfd"));
    } else if (mechanism_ == Mechanism::Pipe) {
      int fds[2];
      check_sys(pipe2(fds, O_CLOEXEC), "pipe2");
      read_end_ = UniqueFd(fds[0]);
      write_end_ = UniqueFd(fds[1]);
    }
  }

  void work(const WorkerContext& ctx) override {
    if (ctx.index == 0) {
      set_rounds(static_cast<std::uint32_t>(ctx.workers - 1));
    } else {
      wait_rounds(ctx);
    }
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& /*run*/) override {
    const auto waiters = static_cast<std::size_t>(rep.workers - 1);
    for (std::size_t w = 1; w <= waiters; ++w) {
      const WaiterTally& t = tallies_[w];
      if (t.wrong != 0) {
        throw VerificationError(
            fmt::format("waiter {} woke {} time(s) to the wrong round (first: saw {} in round {})",
                        w, t.wrong, t.first_wrong_seen, t.first_wrong_round));
      }
      if (t.woken != rounds_) {
        throw VerificationError(
            fmt::format("waiter {} woke {} times in {} rounds", w, t.woken, rounds_));
      }
    }
    std::vector<double> all, last;
    all.reserve(waiters * rounds_);
    last.reserve(rounds_);
    for (std::uint32_t r = 0; r < rounds_; ++r) {
      double slowest = 0;
      for (std::size_t w = 1; w <= waiters; ++w) {
        const auto v = static_cast<double>(wake_ns_[w * rounds_ + r]);
        all.push_back(v);
        slowest = std::max(slowest, v);
      }
      last.push_back(slowest);
    }
    std::sort(all.begin(), all.end());
    std::sort(last.begin(), last.end());
    return {{"wake_p50_ns", quantile_sorted(all, 0.5)},
            {"wake_p99_ns", quantile_sorted(all, 0.99)},
            {"wake_max_ns", all.back()},
            {"all_woken_p50_ns", quantile_sorted(last, 0.5)}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(rounds_) * (rep.workers - 1);
  }

 private:
  void set_rounds(std::uint32_t waiters) {
    std::atomic_ref<std::uint32_t> round(event_.round);
    std::atomic_ref<std::int64_t> stamp(event_.set_ns);
    const timespec gap{0, static_cast<long>(gap_ns_)};
    for (std::uint32_t r = 1; r <= rounds_; ++r) {
      wait_at_least(acks_.count, (r - 1) * waiters);  // every waiter is done with round r-1
      nanosleep(&gap, nullptr);                       // ... and blocked on the event again
      stamp.store(now_ns(), std::memory_order_relaxed);
      switch (mechanism_) {
        case Mechanism::Futex:
          round.store(r, std::memory_order_release);
          futex_wake(&event_.round);
          break;
        case Mechanism::Condvar:
          pthread_mutex_lock(&event_.mutex);
          round.store(r, std::memory_order_relaxed);
          pthread_cond_broadcast(&event_.cond);
          pthread_mutex_unlock(&event_.mutex);
          break;
        case Mechanism::Eventfd: {
          round.store(r, std::memory_order_release);
          const std::uint64_t add = waiters;
          write_all(read_end_.get(), std::as_bytes(std::span(&add, 1)));
          break;
        }
        case Mechanism::Pipe: {
          round.store(r, std::memory_order_release);
          const std::vector<unsigned char> bytes(waiters, static_cast<unsigned char>(r));
          write_all(write_end_.get(), std::as_bytes(std::span(bytes)));
          break;
        }
      }
    }
  }

  // Waits for the event to reach round r; returns the round it saw.
  std::uint32_t wait_for(std::uint32_t r) {
    switch (mechanism_) {
      case Mechanism::Futex:
        wait_at_least(event_.round, r);
        return load(event_.round);
      case Mechanism::Condvar: {
        pthread_mutex_lock(&event_.mutex);
        while (event_.round < r) pthread_cond_wait(&event_.cond, &event_.mutex);
        const std::uint32_t seen = event_.round;
        pthread_mutex_unlock(&event_.mutex);
        return seen;
      }
      case Mechanism::Eventfd: {
        std::uint64_t token = 0;
        read_exact(read_end_.get(), std::as_writable_bytes(std::span(&token, 1)));
        return token == 1 ? load(event_.round) : 0;
      }
      case Mechanism::Pipe: {
        unsigned char byte = 0;
        read_exact(read_end_.get(), std::as_writable_bytes(std::span(&byte, 1)));
        const std::uint32_t seen = load(event_.round);
        return byte == static_cast<unsigned char>(seen) ? seen : 0;
      }
    }
    return 0;
  }

  void wait_rounds(const WorkerContext& ctx) {
    const auto me = static_cast<std::size_t>(ctx.index);
    const auto waiters = static_cast<std::uint32_t>(ctx.workers - 1);
    WaiterTally& tally = tallies_[me];
    std::int64_t* wake = wake_ns_.data() + me * rounds_;
    std::atomic_ref<std::uint32_t> acks(acks_.count);
    std::atomic_ref<std::int64_t> stamp(event_.set_ns);
    for (std::uint32_t r = 1; r <= rounds_; ++r) {
      const std::uint32_t seen = wait_for(r);
      const std::int64_t woke = now_ns();
      wake[r - 1] = woke - stamp.load(std::memory_order_relaxed);
      ++tally.woken;
      if (seen != r && tally.wrong++ == 0) {
        tally.first_wrong_seen = seen;
        tally.first_wrong_round = r;
      }
      // The last waiter of the round releases the setter and the other waiters; nobody waits for
      // round r+1 before everyone has taken round r (a shared eventfd or pipe would otherwise let
      // a fast waiter take a slow one's token).
      if (acks.fetch_add(1, std::memory_order_acq_rel) + 1 == r * waiters) {
        futex_wake(&acks_.count);
      } else {
        wait_at_least(acks_.count, r * waiters);
      }
    }
  }

  Mechanism mechanism_;
  std::uint32_t rounds_;
  std::int64_t gap_ns_;
  Event& event_;
  Acks& acks_;
  std::span<WaiterTally> tallies_;
  std::span<std::int64_t> wake_ns_;
  UniqueFd read_end_, write_end_;  // eventfd (read_end_ only) or pipe
};

class EventWorkload final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "event"; }
  [[nodiscard]] ReportRole report_role() const override {
    return {"wake", "",
            SyncTable{"Events: median wake-up latency (set -> waiter running) by workers (1 "
                      "setter + W-1 waiters); p99 at the most",
                      "mechanism",
                      "",
                      "wake_p50_ns",
                      false,
                      "duration",
                      {{"p99", "wake_p99_ns", "duration"},
                       {"all woken", "all_woken_p50_ns", "duration"},
                       {"of limit", "of_limit", "percent"}}},
            ""};
  }
  [[nodiscard]] std::string_view summary() const override {
    return "one setter, W-1 waiters: wake-up latency from set to each waiter running (futex, "
           "condvar, eventfd, pipe)";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "wake-ups"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    const std::vector<std::string> all = {"futex", "condvar", "eventfd", "pipe"};
    return {
        ParamSpec::choice("mechanism", "how the event is set and waited for", all, all),
        ParamSpec::integer("rounds", "times the event is set per repetition", {"1000"}, 1,
                           10'000'000),
        ParamSpec::integer(
            "gap_us", "setter's pause after every waiter is back, so they are asleep when it sets",
            {"100"}, 0, 999'999)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {
        {"wake_p50_ns", "median time from set to a waiter running", B::Lower},
        {"wake_p99_ns", "99th percentile of the same", B::Lower},
        {"wake_max_ns", "slowest wake-up", B::Lower},
        {"all_woken_p50_ns", "median over rounds of the time until the last waiter ran", B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int cpus) const override {
    return {2, std::max(cpus, 2) + 1};  // one waiter; then more waiters than the setter leaves CPUs
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"rounds", "50"}, {"gap_us", "20"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<EventExperiment>(info);
  }
};

}  // namespace event_wl
}  // namespace

std::unique_ptr<Workload> make_event() { return std::make_unique<event_wl::EventWorkload>(); }

}  // namespace parbench
