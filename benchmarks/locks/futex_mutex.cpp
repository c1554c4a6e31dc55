// futex_mutex: the three-state futex mutex from Drepper's "Futexes Are Tricky": 0 free, 1 locked,
// 2 locked with waiters. An uncontended lock and unlock are one atomic each; the kernel is entered
// only to sleep or to wake a sleeper.
#include <atomic>

#include "futex.hpp"
#include "lock.hpp"

namespace parbench {
namespace {

struct alignas(kCacheLine) FutexWord {
  std::atomic<std::uint32_t> state{0};
};

class FutexMutex final : public Lock {
 public:
  explicit FutexMutex(FutexWord& w) : w_(&w) {}
  void lock(int /*worker*/) override {
    std::uint32_t c = 0;
    if (w_->state.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
    if (c != 2) c = w_->state.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      futex_wait(reinterpret_cast<std::uint32_t*>(&w_->state), 2);
      c = w_->state.exchange(2, std::memory_order_acquire);
    }
  }
  void unlock(int /*worker*/) override {
    if (w_->state.exchange(0, std::memory_order_release) == 2) {
      futex_wake(reinterpret_cast<std::uint32_t*>(&w_->state), 1);
    }
  }

 private:
  FutexWord* w_;
};

class FutexMutexKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "futex_mutex"; }
  [[nodiscard]] std::string_view description() const override {
    return "three-state futex mutex (Drepper)";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena,
                                             int /*max_workers*/) const override {
    return std::make_unique<FutexMutex>(arena.make_one<FutexWord>());
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_futex_mutex() { return std::make_unique<FutexMutexKind>(); }

}  // namespace parbench
