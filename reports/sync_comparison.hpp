#pragma once
// The tables `parbench run locks` ends with: for each workload that declares a ranking table
// (report_role.hpp: lock_contention, semaphore, event and barrier among the built-in ones), one
// line per lock or mechanism and backend, the headline metric at each worker count in columns
// (ranked by its value at the most workers), plus fairness or tail columns at the most workers.
// Empty when the run had none of those workloads.
#include <string>
#include <vector>

#include "summary.hpp"
#include "workload_roles.hpp"

namespace parbench {

std::string format_sync_comparison(const std::vector<SummaryRow>& rows, const WorkloadRoles& roles);

// The same rankings as one line each, at the most workers, for the report's headline:
// "lock_contention cs_ns=100, 2 workers, ops_per_s (highest first): futex thread 50.1M (jain
// 1.00), ...". Only mechanisms that ran there are named.
std::vector<std::string> sync_rankings(const std::vector<SummaryRow>& rows,
                                       const WorkloadRoles& roles);

}  // namespace parbench
