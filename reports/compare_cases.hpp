#pragma once
// What compare.cpp, compare_machine.cpp and compare_paired.cpp share: a report's rows grouped into
// cases, and the metrics and values each case is compared on. Internal to the reports layer.
#include <map>
#include <string>
#include <vector>

#include "compare.hpp"

namespace parbench::compare_detail {

struct CaseRows {
  std::string workload, backend, params;
  int workers = 1;
  std::vector<const Row*> ok;
  std::string first_error;
  bool unsupported = false;
};

// The rows by case key; with `by_host` the host is part of the case (a merged report).
std::map<std::string, CaseRows> group(const std::vector<Row>& rows,
                                      const std::vector<std::string>& ignore, bool by_host);
std::size_t distinct_hosts(const std::vector<Row>& rows);
// A metric's direction when no declaration covers it.
Direction default_direction(const std::string& metric);
// One case's item for `metric`, before it is judged.
MetricComparison item_for(const std::string& key, const CaseRows& b, const std::string& metric);
// The metrics to compare for a case: --metric's list, or by default work per second.
std::vector<std::string> metrics_for(const CaseRows& b, const CompareOptions& options);
std::vector<double> values_of(const std::vector<const Row*>& rows, const std::string& metric);

// The repetitions the machine ran at (nearly) full capacity: those whose machine probe read at
// least kKeepCapacity of the highest the case saw on either side (compare_machine.cpp).
inline constexpr double kKeepCapacity = 0.9;
struct Undisturbed {
  std::vector<const Row*> base, candidate;
  std::size_t set_aside = 0;
};
Undisturbed undisturbed(const CaseRows& b, const CaseRows& n);
// A regression or improvement of `m` the machine probe explains becomes `disturbed`.
void blame_machine(MetricComparison& m, const std::vector<const Row*>& base,
                   const std::vector<const Row*>& candidate);

// BadInput when nothing was in common or nothing could be compared.
void check_compared(const Comparison& out, std::size_t common, std::size_t base_without_rows,
                    const CompareOptions& options);

}  // namespace parbench::compare_detail
