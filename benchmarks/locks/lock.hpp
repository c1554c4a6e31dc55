#pragma once
// A lock under test. Created before the workers start, in shared memory where the backend needs it;
// each worker attaches before the start gate (file locks open their own file description there).
// Adding a lock kind is one file defining `std::unique_ptr<LockKind> make_lock_<name>()` plus one
// line in lock_list.hpp; the lock workloads and tests iterate over the registry.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend_traits.hpp"
#include "shared_memory.hpp"

namespace parbench {

class Lock {
 public:
  Lock() = default;
  virtual ~Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // In worker `worker`, before the start gate.
  virtual void attach(int /*worker*/) {}
  virtual void lock(int worker) = 0;
  virtual void unlock(int worker) = 0;
};

class LockKind {
 public:
  LockKind() = default;
  virtual ~LockKind() = default;
  LockKind(const LockKind&) = delete;
  LockKind& operator=(const LockKind&) = delete;

  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view description() const = 0;
  // Why this lock cannot work between the workers of a backend with these traits, or nullopt.
  [[nodiscard]] virtual std::optional<std::string> not_applicable(
      const BackendTraits& /*backend*/) const {
    return std::nullopt;
  }
  // No lock at all: the workload updates its counter with an atomic instruction instead.
  [[nodiscard]] virtual bool lock_free() const { return false; }
  [[nodiscard]] virtual std::unique_ptr<Lock> create(SharedArena& arena, int max_workers) const = 0;
};

const std::vector<std::unique_ptr<LockKind>>& all_locks();
const LockKind* find_lock(std::string_view name);
std::vector<std::string> lock_names();

}  // namespace parbench
