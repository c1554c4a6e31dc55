// atomic: no lock at all; the protected counter is updated with one fetch_add. The lock-free
// baseline every lock is compared with.
#include "lock.hpp"

namespace parbench {
namespace {

class NoLock final : public Lock {
 public:
  void lock(int /*worker*/) override {}
  void unlock(int /*worker*/) override {}
};

class AtomicKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "atomic"; }
  [[nodiscard]] std::string_view description() const override {
    return "no lock: the counter is updated with an atomic fetch_add (baseline)";
  }
  [[nodiscard]] bool lock_free() const override { return true; }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& /*arena*/,
                                             int /*max_workers*/) const override {
    return std::make_unique<NoLock>();
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_atomic() { return std::make_unique<AtomicKind>(); }

}  // namespace parbench
