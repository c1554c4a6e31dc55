// semaphore: a counting semaphore of k admits W workers (W > k is the interesting case) for
// `duration_ms`: acquire, stay inside for cs_ns, release. Every admission increments a shared
// occupancy count and checks it never exceeds k; after the run the semaphore must be back at k.
// Mechanisms:
//   posix_sem  an unnamed process-shared POSIX semaphore (multiprocessing.Semaphore is one)
//   futex      a counter with FUTEX_WAIT/FUTEX_WAKE and a waiter count
//   pipe       a pipe holding k tokens, one byte each: acquire reads one, release writes it back
//              (the GNU make jobserver)
#include <fcntl.h>
#include <fmt/core.h>
#include <semaphore.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <span>

#include "busy_work.hpp"
#include "channels/fd_channel.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"
#include "workload.hpp"

namespace parbench {
namespace {
// Named, so a unity build can put this file beside others with the same local names.
namespace semaphore_wl {

enum class Mechanism { PosixSem, Futex, Pipe };

struct alignas(kCacheLine) Shared {
  sem_t sem;
  std::uint32_t value = 0;    // futex: tokens left
  std::uint32_t waiting = 0;  // futex: workers asleep or about to sleep on `value`
  alignas(kCacheLine) std::uint32_t inside = 0;  // workers between acquire and release
};

struct alignas(kCacheLine) Tally {
  std::uint64_t admissions = 0;
  std::uint32_t max_inside = 0;  // highest occupancy this worker saw on entering
};

class SemaphoreExperiment final : public Experiment {
 public:
  explicit SemaphoreExperiment(const PrepareInfo& info)
      : mechanism_(info.params.get("mechanism") == "posix_sem" ? Mechanism::PosixSem
                   : info.params.get("mechanism") == "futex"   ? Mechanism::Futex
                                                               : Mechanism::Pipe),
        k_(static_cast<std::uint32_t>(info.params.get_int("k"))),
        cs_ns_(info.params.get_int("cs_ns")),
        duration_ns_(info.params.get_int("duration_ms") * 1'000'000),
        shared_(info.arena.make_one<Shared>()),
        tallies_(info.arena.make<Tally>(static_cast<std::size_t>(info.max_workers))) {}

  void before_rep(const RepInfo& /*rep*/) override {
    for (auto& t : tallies_) t = Tally{};
    shared_.inside = 0;
    shared_.value = k_;
    shared_.waiting = 0;
    check_sys(sem_init(&shared_.sem, 1, k_), "sem_init");
    rd_.reset();
    wr_.reset();
    if (mechanism_ == Mechanism::Pipe) {
      int fds[2];
      check_sys(pipe2(fds, O_CLOEXEC), "pipe2");
      rd_ = UniqueFd(fds[0]);
      wr_ = UniqueFd(fds[1]);
      const std::vector<std::byte> tokens(k_, std::byte{'+'});
      write_all(wr_.get(), tokens);
    }
  }

  void work(const WorkerContext& ctx) override {
    Tally& mine = tallies_[static_cast<std::size_t>(ctx.index)];
    std::atomic_ref<std::uint32_t> inside(shared_.inside);
    const std::int64_t end = now_ns() + duration_ns_;
    std::uint64_t n = 0;
    std::uint32_t max_inside = 0;
    do {
      acquire();
      max_inside = std::max(max_inside, inside.fetch_add(1, std::memory_order_acq_rel) + 1);
      busy_for(cs_ns_);
      inside.fetch_sub(1, std::memory_order_acq_rel);
      release();
      ++n;
    } while (now_ns() < end);
    mine.admissions = n;
    mine.max_inside = max_inside;
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    std::uint64_t total = 0;
    std::uint32_t max_inside = 0;
    double sum_sq = 0;
    for (int w = 0; w < rep.workers; ++w) {
      const Tally& t = tallies_[static_cast<std::size_t>(w)];
      total += t.admissions;
      max_inside = std::max(max_inside, t.max_inside);
      sum_sq += static_cast<double>(t.admissions) * static_cast<double>(t.admissions);
    }
    if (max_inside > k_) {
      throw VerificationError(
          fmt::format("semaphore of {} admitted {} workers at once", k_, max_inside));
    }
    if (const std::uint32_t left = tokens_left(); left != k_) {
      throw VerificationError(
          fmt::format("semaphore of {} holds {} tokens after the run", k_, left));
    }
    const auto t = static_cast<double>(total);
    return {{"ops_per_s", t / (static_cast<double>(run.wall_ns) * 1e-9)},
            {"max_inside", max_inside},
            {"jain", sum_sq > 0 ? t * t / (rep.workers * sum_sq) : 1.0}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    std::uint64_t total = 0;
    for (int w = 0; w < rep.workers; ++w) total += tallies_[static_cast<std::size_t>(w)].admissions;
    return static_cast<double>(total);
  }

 private:
  void acquire() {
    switch (mechanism_) {
      case Mechanism::PosixSem:
        while (sem_wait(&shared_.sem) != 0) {
          if (errno != EINTR) throw_sys("sem_wait");
        }
        return;
      case Mechanism::Futex: {
        std::atomic_ref<std::uint32_t> value(shared_.value), waiting(shared_.waiting);
        for (;;) {
          std::uint32_t v = value.load(std::memory_order_relaxed);
          while (v > 0) {
            if (value.compare_exchange_weak(v, v - 1, std::memory_order_acquire)) return;
          }
          waiting.fetch_add(1, std::memory_order_seq_cst);
          futex_wait(&shared_.value, 0);  // returns at once if a token came back meanwhile
          waiting.fetch_sub(1, std::memory_order_relaxed);
        }
      }
      case Mechanism::Pipe: {
        std::byte token{};
        read_exact(rd_.get(), std::span(&token, 1));
        return;
      }
    }
  }

  void release() {
    switch (mechanism_) {
      case Mechanism::PosixSem:
        sem_post(&shared_.sem);
        return;
      case Mechanism::Futex: {
        std::atomic_ref<std::uint32_t> value(shared_.value), waiting(shared_.waiting);
        value.fetch_add(1, std::memory_order_seq_cst);
        if (waiting.load(std::memory_order_seq_cst) > 0) futex_wake(&shared_.value, 1);
        return;
      }
      case Mechanism::Pipe: {
        const std::byte token{'+'};
        write_all(wr_.get(), std::span(&token, 1));
        return;
      }
    }
  }

  [[nodiscard]] std::uint32_t tokens_left() {
    switch (mechanism_) {
      case Mechanism::PosixSem: {
        int v = 0;
        sem_getvalue(&shared_.sem, &v);
        return static_cast<std::uint32_t>(std::max(v, 0));
      }
      case Mechanism::Futex:
        return shared_.value;
      case Mechanism::Pipe: {
        int bytes = 0;
        check_sys(ioctl(rd_.get(), FIONREAD, &bytes), "ioctl(FIONREAD)");
        return static_cast<std::uint32_t>(bytes);
      }
    }
    return 0;
  }

  Mechanism mechanism_;
  std::uint32_t k_;
  std::int64_t cs_ns_, duration_ns_;
  Shared& shared_;
  std::span<Tally> tallies_;
  UniqueFd rd_, wr_;  // pipe: the token pipe
};

class SemaphoreWorkload final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "semaphore"; }
  [[nodiscard]] ReportRole report_role() const override {
    return {"admission", "",
            SyncTable{"Semaphores: admissions per second by workers; most inside at once "
                      "and fairness at the most workers",
                      "mechanism",
                      "k",
                      "ops_per_s",
                      true,
                      "si",
                      {{"max in", "max_inside", "integer"},
                       {"jain", "jain", "fixed2"},
                       {"of limit", "of_limit", "percent"}}},
            ""};
  }
  [[nodiscard]] std::string_view summary() const override {
    return "a counting semaphore of k admits W workers: never more than k inside, admissions per "
           "second";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "admissions"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    const std::vector<std::string> all = {"posix_sem", "futex", "pipe"};
    return {
        ParamSpec::choice("mechanism", "the semaphore: posix_sem, futex, or a token pipe", all,
                          all),
        ParamSpec::integer("k", "workers the semaphore admits at once", {"1", "2"}, 1, 4096),
        ParamSpec::integer("cs_ns", "busy time inside, ns", {"1000"}, 0, 100'000'000),
        ParamSpec::integer("duration_ms", "how long every worker keeps entering, per repetition",
                           {"100"}, 1, 3'600'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {
        {"ops_per_s", "admissions per second, all workers", B::Higher},
        {"max_inside",
         "most workers inside at once (never above k; below k means the slots went unused)",
         B::Higher},
        {"jain", "Jain's fairness index of the workers' admission counts (1 = equal)", B::Higher}};
  }
  [[nodiscard]] std::vector<int> default_workers(int cpus) const override {
    return {1, 2, 2 * std::max(cpus, 1)};
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"duration_ms", "5"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<SemaphoreExperiment>(info);
  }
};

}  // namespace semaphore_wl
}  // namespace

std::unique_ptr<Workload> make_semaphore() {
  return std::make_unique<semaphore_wl::SemaphoreWorkload>();
}

}  // namespace parbench
