#include "lock.hpp"
#include "lock_list.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<LockKind> make_lock_##name();
PARBENCH_LOCKS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

const std::vector<std::unique_ptr<LockKind>>& all_locks() {
  static const auto locks = [] {
    std::vector<std::unique_ptr<LockKind>> v;
#define PARBENCH_ADD(name) v.push_back(make_lock_##name());
    PARBENCH_LOCKS(PARBENCH_ADD)
#undef PARBENCH_ADD
    return v;
  }();
  return locks;
}

const LockKind* find_lock(std::string_view name) {
  for (const auto& l : all_locks()) {
    if (l->name() == name) return l.get();
  }
  return nullptr;
}

std::vector<std::string> lock_names() {
  std::vector<std::string> out;
  for (const auto& l : all_locks()) out.emplace_back(l->name());
  return out;
}

}  // namespace parbench
