#pragma once
// The table a run prints at the end: one block per workload, one line per case.
#include <cstdint>
#include <string>
#include <vector>

#include "summary.hpp"

namespace parbench {

std::string format_summary_table(const std::vector<SummaryRow>& rows);

// 850 ns, 45.6 us, 312 ms, 1.23 s
std::string format_duration(double ns);

}  // namespace parbench
