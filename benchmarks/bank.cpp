// bank: the deposit/withdraw example. Every worker deposits and withdraws `amount`, `ops` times
// each, on one shared balance, under a lock; the balance must come back to where it started and
// every update must be counted. lock=none runs the same code unprotected: the control that shows
// why locks exist. Its lost updates are reported (metrics), not treated as an error.
#include <fmt/core.h>

#include <atomic>

#include "locks/lock.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

constexpr std::int64_t kStart = 1'000'000;

struct alignas(kCacheLine) Account {
  std::int64_t balance = kStart;
  std::uint64_t updates = 0;
};

class BankExperiment final : public Experiment {
 public:
  explicit BankExperiment(const PrepareInfo& info)
      : kind_(info.params.get("lock") == "none" ? nullptr : find_lock(info.params.get("lock"))),
        ops_(info.params.get_int("ops")),
        amount_(info.params.get_int("amount")),
        lock_(kind_ != nullptr ? kind_->create(info.arena, info.max_workers) : nullptr),
        account_(info.arena.make_one<Account>()) {}

  void before_rep(const RepInfo& rep) override {
    if (kind_ != nullptr) {
      if (auto why = kind_->not_applicable(rep.traits)) throw Unsupported(*why);
    }
    account_ = Account{};
  }
  void before_gate(const WorkerContext& ctx) override {
    if (lock_) lock_->attach(ctx.index);
  }

  void work(const WorkerContext& ctx) override {
    std::atomic_ref<std::int64_t> balance(account_.balance);
    std::atomic_ref<std::uint64_t> updates(account_.updates);
    const bool atomic = kind_ != nullptr && kind_->lock_free();
    for (std::int64_t i = 0; i < 2 * ops_; ++i) {
      const std::int64_t delta = i % 2 == 0 ? amount_ : -amount_;  // deposit, then withdraw
      if (lock_) lock_->lock(ctx.index);
      if (atomic) {
        balance.fetch_add(delta, std::memory_order_relaxed);
        updates.fetch_add(1, std::memory_order_relaxed);
      } else {
        // Read, modify, write: without a lock two workers can read the same balance, and one
        // of the two updates is lost.
        balance.store(balance.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
        updates.store(updates.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
      if (lock_) lock_->unlock(ctx.index);
    }
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    const auto expected = static_cast<std::uint64_t>(2 * ops_ * rep.workers);
    const std::int64_t drift = account_.balance - kStart;
    const std::uint64_t lost = expected - account_.updates;
    if (kind_ != nullptr && (drift != 0 || lost != 0)) {
      throw VerificationError(
          fmt::format("bank under {}: balance moved by {}, {} of {} updates lost", kind_->name(),
                      drift, lost, expected));
    }
    return {
        {"ops_per_s", static_cast<double>(expected) / (static_cast<double>(run.wall_ns) * 1e-9)},
        {"lost_updates", static_cast<double>(lost)},
        {"balance_drift", static_cast<double>(drift)}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(2 * ops_ * rep.workers);
  }

 private:
  const LockKind* kind_;
  std::int64_t ops_, amount_;
  std::unique_ptr<Lock> lock_;
  Account& account_;
};

class Bank final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "bank"; }
  [[nodiscard]] std::string_view summary() const override {
    return "deposit/withdraw on a shared balance under a lock (must balance), and with lock=none "
           "(loses updates)";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "updates"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    std::vector<std::string> choices = lock_names();
    choices.insert(choices.begin(), "none");
    return {
        ParamSpec::choice("lock", "lock kind guarding the balance; none: the unprotected control",
                          {"none", "pthread_mutex", "posix_sem", "futex_mutex", "atomic"}, choices),
        ParamSpec::integer("ops", "deposits (and as many withdrawals) per worker", {"100000"}, 1,
                           1'000'000'000),
        ParamSpec::integer("amount", "size of each deposit and withdrawal", {"10"}, 1, 1'000'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {
        {"ops_per_s", "balance updates per second, all workers", B::Higher},
        {"lost_updates", "updates lost to races (0 under any lock; the point of lock=none)",
         B::Lower},
        {"balance_drift", "final balance minus the starting balance (0 under any lock)", B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {2}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"ops", "2000"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<BankExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_bank() { return std::make_unique<Bank>(); }

}  // namespace parbench
