// pthread_mutex: a process-shared, robust pthread mutex in shared memory. Robust: when its owner
// dies holding it, the next locker gets EOWNERDEAD instead of waiting forever, and the case fails
// with that reason.
#include <pthread.h>

#include <stdexcept>

#include "lock.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

class PthreadMutex final : public Lock {
 public:
  explicit PthreadMutex(pthread_mutex_t& m) : m_(&m) {}
  void lock(int /*worker*/) override {
    const int rc = pthread_mutex_lock(m_);
    if (rc == EOWNERDEAD) {
      pthread_mutex_consistent(m_);
      pthread_mutex_unlock(m_);
      throw std::runtime_error(
          "pthread_mutex: the previous owner died holding the lock (EOWNERDEAD)");
    }
    if (rc != 0) throw_sys("pthread_mutex_lock", rc);
  }
  void unlock(int /*worker*/) override { pthread_mutex_unlock(m_); }

 private:
  pthread_mutex_t* m_;
};

class PthreadMutexKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "pthread_mutex"; }
  [[nodiscard]] std::string_view description() const override {
    return "pthread mutex, process-shared and robust, in shared memory";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena,
                                             int /*max_workers*/) const override {
    auto& m = arena.make_one<pthread_mutex_t>();
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    const int rc = pthread_mutex_init(&m, &a);
    pthread_mutexattr_destroy(&a);
    if (rc != 0) throw_sys("pthread_mutex_init", rc);
    return std::make_unique<PthreadMutex>(m);
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_pthread_mutex() { return std::make_unique<PthreadMutexKind>(); }

}  // namespace parbench
