#pragma once
// Lists of names kept in first-seen order without repeats: the columns of a report, the workloads
// a rule applies to, the backends of a table.
#include <algorithm>
#include <string>
#include <vector>

namespace parbench {

inline void add_unique(std::vector<std::string>& list, const std::string& name) {
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

inline void add_unique(std::vector<std::string>& list, const std::vector<std::string>& names) {
  for (const auto& n : names) add_unique(list, n);
}

}  // namespace parbench
