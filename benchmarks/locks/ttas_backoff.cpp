// ttas_backoff: test-and-test-and-set spinlock with exponential backoff.
#include "spin_lock.hpp"

namespace parbench {

std::unique_ptr<LockKind> make_lock_ttas_backoff() {
  return std::make_unique<SpinLockKind<true, true>>(
      "ttas_backoff", "test-and-test-and-set spinlock with exponential backoff");
}

}  // namespace parbench
