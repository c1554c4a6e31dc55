// ttas: test-and-test-and-set spinlock (read until free, then exchange).
#include "spin_lock.hpp"

namespace parbench {

std::unique_ptr<LockKind> make_lock_ttas() {
  return std::make_unique<SpinLockKind<true, false>>(
      "ttas", "test-and-test-and-set spinlock (read until free, then exchange)");
}

}  // namespace parbench
