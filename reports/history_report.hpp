#pragma once
// `parbench history report`: one self-contained HTML page (inline SVG, no script, no network):
// per series a trend plot of the value per run, the between-run band (mean +- 2 standard
// deviations of the runs between two change points), a marker at each change point, and every
// point's run and commit on hover; below, the runs and their commits as a table.
#include <string>
#include <vector>

#include "change_points.hpp"
#include "history.hpp"

namespace parbench {

std::string history_report_html(const std::vector<Series>& series,
                                const std::vector<HistoryRun>& runs,
                                const ChangePointOptions& options, double min_effect,
                                const std::string& db_name);

}  // namespace parbench
