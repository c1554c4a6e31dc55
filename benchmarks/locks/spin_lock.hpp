#pragma once
// Test-and-set spinlocks in shared memory, the textbook family: TAS hammers the line with
// exchanges; TTAS reads until the lock looks free and only then exchanges, so waiters spin in
// their own cache instead of stealing the line from the holder. Backoff waits an exponentially
// growing number of pauses after a failed attempt, trading hand-off latency for less traffic.
#include <atomic>
#include <memory>
#include <string>

#include "futex.hpp"
#include "lock.hpp"

namespace parbench {

struct alignas(kCacheLine) SpinWord {
  std::atomic<std::uint32_t> locked{0};
};

template <bool TestFirst, bool Backoff>
class SpinLock final : public Lock {
 public:
  explicit SpinLock(SpinWord& w) : w_(&w) {}
  void lock(int /*worker*/) override {
    std::uint32_t delay = 1;
    for (;;) {
      if constexpr (TestFirst) {
        while (w_->locked.load(std::memory_order_relaxed) != 0) cpu_relax();
      }
      if (w_->locked.exchange(1, std::memory_order_acquire) == 0) return;
      if constexpr (Backoff) {
        for (std::uint32_t i = 0; i < delay; ++i) cpu_relax();
        delay = delay < 1024 ? delay * 2 : delay;
      } else {
        cpu_relax();
      }
    }
  }
  void unlock(int /*worker*/) override { w_->locked.store(0, std::memory_order_release); }

 private:
  SpinWord* w_;
};

template <bool TestFirst, bool Backoff>
class SpinLockKind final : public LockKind {
 public:
  SpinLockKind(std::string name, std::string description)
      : name_(std::move(name)), description_(std::move(description)) {}
  [[nodiscard]] std::string_view name() const override { return name_; }
  [[nodiscard]] std::string_view description() const override { return description_; }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena,
                                             int /*max_workers*/) const override {
    return std::make_unique<SpinLock<TestFirst, Backoff>>(arena.make_one<SpinWord>());
  }

 private:
  std::string name_, description_;
};

}  // namespace parbench
