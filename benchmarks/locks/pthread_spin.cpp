// pthread_spin: a process-shared pthread spinlock in shared memory.
#include <pthread.h>

#include "lock.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

// glibc's pthread_spinlock_t is a volatile int, which cannot be placement-constructed directly.
struct alignas(kCacheLine) SpinStorage {
  pthread_spinlock_t lock;
};

class PthreadSpin final : public Lock {
 public:
  explicit PthreadSpin(pthread_spinlock_t& s) : s_(&s) {}
  void lock(int /*worker*/) override { pthread_spin_lock(s_); }
  void unlock(int /*worker*/) override { pthread_spin_unlock(s_); }

 private:
  pthread_spinlock_t* s_;
};

class PthreadSpinKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "pthread_spin"; }
  [[nodiscard]] std::string_view description() const override {
    return "pthread spinlock, process-shared";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena,
                                             int /*max_workers*/) const override {
    auto& s = arena.make_one<SpinStorage>();
    if (const int rc = pthread_spin_init(&s.lock, PTHREAD_PROCESS_SHARED); rc != 0)
      throw_sys("pthread_spin_init", rc);
    return std::make_unique<PthreadSpin>(s.lock);
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_pthread_spin() { return std::make_unique<PthreadSpinKind>(); }

}  // namespace parbench
