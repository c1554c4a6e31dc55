#pragma once
// The table a run prints at the end: one block per workload, one line per case.
#include <cstdint>
#include <string>
#include <vector>

#include "summary.hpp"

namespace parbench {

std::string format_summary_table(const std::vector<SummaryRow>& rows);

// What a table shows beyond the console's columns (the report shows both).
struct TableColumns {
  bool ci = false;         // the 95% confidence interval of the median wall time
  bool work_rate = false;  // work units per second
};

// One workload's cases as a table of display cells: the columns that tell its cases apart, the
// figures in human units.
struct WorkloadTable {
  std::string workload;
  // The parameter values every case of the workload has: left out of the rows.
  std::vector<std::pair<std::string, std::string>> shared;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> failed;  // per row: the case failed or cannot run here
  std::size_t left = 0;      // the columns before this name the case; figures follow; then status
  // "process w=2: 1.62x of 2: CPU taken by other load 0.21, ...": the speedup stack of each case
  // that has one (speedup_stack.hpp).
  std::vector<std::string> stacks;
};

// Each workload's cases, the workloads in the order the rows first name them.
using WorkloadCases = std::pair<std::string, std::vector<const SummaryRow*>>;
std::vector<WorkloadCases> cases_by_workload(const std::vector<SummaryRow>& rows);
// The parameters with more than one value among `cases`: what tells them apart.
std::vector<std::string> varying_params(const std::vector<const SummaryRow*>& cases);

// One table per workload, in the order the rows first name them.
std::vector<WorkloadTable> workload_tables(const std::vector<SummaryRow>& rows,
                                           const TableColumns& extra = {});

// Columns a terminal shows for a UTF-8 string (µ is one), and the string padded to `width` of
// them, on the right (left-aligned) or on the left.
std::size_t display_width(const std::string& s);
std::string pad_to(const std::string& s, std::size_t width, bool left);

// Rows of cells as aligned text columns two spaces apart, the columns whose index `right` holds
// right-aligned; no trailing spaces. Each line starts with `line_prefix`.
std::string format_text_table(const std::vector<std::vector<std::string>>& rows,
                              const std::vector<std::size_t>& right,
                              const std::string& line_prefix = "");

// 850 ns, 45.6 µs, 312 ms, 1.23 s
std::string format_duration(double ns);
// 1.48 G/s, 312 k/s: a rate with an SI prefix (10^3 steps).
std::string format_rate(double per_second);
// The case's cv as a percentage ("2.1%"); "-" with fewer than kMinRepsForCv repetitions.
std::string cv_cell(const SummaryRow& r);
// "1.71x", or "-" without a value.
std::string ratio_cell(const std::optional<double>& v, const char* suffix);
// ok, "ok, noisy: ...", "ERROR: ...", "unsupported: ...".
std::string status_cell(const SummaryRow& r);

// "12.1 ms – 12.4 ms": the 95% confidence interval of the median wall time; "-" when too few
// repetitions give one.
std::string ci_cell(const SummaryRow& r);

// A machine limit in its unit (1.98x, 42.3 us, 8039 MB/s).
std::string format_limit(double value, const std::string& unit);
// "99% of 1.98x": a case's figure as a share of the machine's limit (of_limit.hpp); "-" when none.
std::string limit_cell(const SummaryRow& r);

}  // namespace parbench
