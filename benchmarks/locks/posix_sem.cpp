// posix_sem: an unnamed process-shared POSIX semaphore (sem_init, pshared=1) of value 1, used as a
// lock: the multiprocessing.Lock of the tutorials is one of these.
#include <semaphore.h>

#include "lock.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

class PosixSem final : public Lock {
 public:
  explicit PosixSem(sem_t& s) : s_(&s) {}
  void lock(int /*worker*/) override {
    while (sem_wait(s_) != 0) {
      if (errno != EINTR) throw_sys("sem_wait");
    }
  }
  void unlock(int /*worker*/) override { sem_post(s_); }

 private:
  sem_t* s_;
};

class PosixSemKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "posix_sem"; }
  [[nodiscard]] std::string_view description() const override {
    return "unnamed process-shared POSIX semaphore of value 1";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena,
                                             int /*max_workers*/) const override {
    auto& s = arena.make_one<sem_t>();
    check_sys(sem_init(&s, 1, 1), "sem_init");
    return std::make_unique<PosixSem>(s);
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_posix_sem() { return std::make_unique<PosixSemKind>(); }

}  // namespace parbench
