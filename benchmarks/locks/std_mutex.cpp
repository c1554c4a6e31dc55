// std_mutex: std::mutex, in ordinary memory: threads only.
#include <mutex>

#include "lock.hpp"

namespace parbench {
namespace {

class StdMutex final : public Lock {
 public:
  void lock(int /*worker*/) override { m_.lock(); }
  void unlock(int /*worker*/) override { m_.unlock(); }

 private:
  std::mutex m_;
};

class StdMutexKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "std_mutex"; }
  [[nodiscard]] std::string_view description() const override {
    return "std::mutex (threads only)";
  }
  [[nodiscard]] std::optional<std::string> not_applicable(
      const BackendTraits& backend) const override {
    if (backend.shares_address_space) return std::nullopt;
    return "std_mutex lives in one address space: threads only";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& /*arena*/,
                                             int /*max_workers*/) const override {
    return std::make_unique<StdMutex>();
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_std_mutex() { return std::make_unique<StdMutexKind>(); }

}  // namespace parbench
