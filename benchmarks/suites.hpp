#pragma once
// Named sets of workloads with preset parameters: `parbench run default` runs the default suite.
// Options given on the command line override a suite's presets.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parbench {

struct SuiteEntry {
  std::string workload;
  std::vector<std::pair<std::string, std::string>> params;  // NAME -> comma-separated values
  std::vector<int> workers;                                 // empty: the workload's default
};

struct Suite {
  std::string name;
  std::string description;
  std::vector<SuiteEntry> entries;
};

const std::vector<Suite>& all_suites();
const Suite* find_suite(std::string_view name);

}  // namespace parbench
