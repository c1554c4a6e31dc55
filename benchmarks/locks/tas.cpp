// tas: test-and-set spinlock (exchange until it succeeds).
#include "spin_lock.hpp"

namespace parbench {

std::unique_ptr<LockKind> make_lock_tas() {
  return std::make_unique<SpinLockKind<false, false>>(
      "tas", "test-and-set spinlock (exchange until it succeeds)");
}

}  // namespace parbench
