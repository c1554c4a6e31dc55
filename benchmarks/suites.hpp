#pragma once
// Named sets of workloads with preset parameters: `parbench run default` runs the default suite.
// Options given on the command line override a suite's presets.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parbench {

struct SuiteEntry {
  SuiteEntry(std::string w, std::vector<std::pair<std::string, std::string>> p = {},
             std::vector<int> n = {}, std::vector<std::string> b = {},
             std::vector<int> per_cpu = {})
      : workload(std::move(w)),
        params(std::move(p)),
        workers(std::move(n)),
        backends(std::move(b)),
        workers_per_cpu(std::move(per_cpu)) {}
  std::string workload;
  std::vector<std::pair<std::string, std::string>> params;  // NAME -> comma-separated values
  std::vector<int> workers;                                 // empty: the workload's default
  std::vector<std::string> backends;  // empty: --backend, else the C++ backends
  // Worker counts as multiples of the CPUs the run may use (used when `workers` is empty).
  std::vector<int> workers_per_cpu;
};

struct Suite {
  std::string name;
  std::string description;
  std::vector<SuiteEntry> entries;
  int reps = 0;  // measured repetitions when --reps is not given (0: the usual 10)
  // The run ends with the claims table (reports/claims.hpp), its columns the suite's backends.
  bool judges_claims = false;
};

const std::vector<Suite>& all_suites();
const Suite* find_suite(std::string_view name);

}  // namespace parbench
