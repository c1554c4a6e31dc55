#pragma once
// The table a run prints at the end: one block per workload, one line per case.
#include <cstdint>
#include <string>
#include <vector>

#include "summary.hpp"

namespace parbench {

std::string format_summary_table(const std::vector<SummaryRow>& rows);

// Rows of cells as aligned text columns two spaces apart, the columns whose index `right` holds
// right-aligned; no trailing spaces.
std::string format_text_table(const std::vector<std::vector<std::string>>& rows,
                              const std::vector<std::size_t>& right);

// 850 ns, 45.6 us, 312 ms, 1.23 s
std::string format_duration(double ns);

// A machine limit in its unit (1.98x, 42.3 us, 8039 MB/s).
std::string format_limit(double value, const std::string& unit);
// "99% of 1.98x": a case's figure as a share of the machine's limit (of_limit.hpp); "-" when none.
std::string limit_cell(const SummaryRow& r);

}  // namespace parbench
