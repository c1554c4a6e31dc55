// tas_backoff: test-and-set spinlock with exponential backoff.
#include "spin_lock.hpp"

namespace parbench {

std::unique_ptr<LockKind> make_lock_tas_backoff() {
  return std::make_unique<SpinLockKind<false, true>>(
      "tas_backoff", "test-and-set spinlock with exponential backoff");
}

}  // namespace parbench
