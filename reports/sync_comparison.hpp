#pragma once
// The tables `parbench run locks` ends with: for lock_contention, semaphore, event and barrier, one
// line per lock or mechanism and backend, the headline metric at each worker count in columns
// (ranked by its value at the most workers), plus fairness or tail columns at the most workers.
// Empty when the run had none of those workloads.
#include <string>
#include <vector>

#include "summary.hpp"

namespace parbench {

std::string format_sync_comparison(const std::vector<SummaryRow>& rows);

}  // namespace parbench
