#include "lock.hpp"
#include "lock_list.hpp"
#include "named_registry.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<LockKind> make_lock_##name();
PARBENCH_LOCKS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

namespace {

const NamedRegistry<LockKind>& lock_registry() {
#define PARBENCH_MAKER(name) &make_lock_##name,
  static const NamedRegistry<LockKind> locks{PARBENCH_LOCKS(PARBENCH_MAKER)};
#undef PARBENCH_MAKER
  return locks;
}

}  // namespace

const std::vector<std::unique_ptr<LockKind>>& all_locks() { return lock_registry().all(); }

const LockKind* find_lock(std::string_view name) { return lock_registry().find(name); }

std::vector<std::string> lock_names() { return lock_registry().names(); }

}  // namespace parbench
