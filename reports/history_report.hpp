#pragma once
// `parbench history report`: one self-contained HTML page (inline SVG, no script, no network):
// per series a trend plot of the value per run, the between-run band (mean +- 2 standard
// deviations of the runs between two change points), a marker at each change point, and every
// point's run and commit on hover; below, the runs and their commits as a table.
// Also what `history check` and the page share: the steps of a series and whether the machine's
// capacity explains them.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "change_points.hpp"
#include "history.hpp"

namespace parbench {

// What the machine gave a case in each run by one measure (history.hpp: machine_capacity,
// machine_throughput, cpus_left), by run id.
struct MachineSeries {
  std::string measure;
  std::map<std::int64_t, double> by_run;
};
using MachineByCase = std::map<std::string, std::vector<MachineSeries>>;
// Every case's, by series key, from the machine's series among `all`.
MachineByCase machine_by_case(const std::vector<Series>& all);

struct SeriesStep {
  ChangePoint at;
  // "" for a step of the code. Else why it is the machine's, with the measure's mean over the
  // runs on each side (to the neighbouring change points):
  // - machine_capacity or machine_throughput moved the same way as the step by more than
  //   kCapacityTolerance and explains it to within the tolerance (the step scaled by it), as
  //   compare's `disturbed`;
  // - or cpus_left moved the same way by more than a tenth and explains the step to within 15%
  //   (the step scaled by the CPUs left: a 3x slowdown is not explained by losing an eighth).
  std::string machine;
};

// Why the change point all[k] of `s` is the machine's, by its case's `machine` series (the
// means over the runs to the neighbouring change points on each side), or "" when they do not
// explain it (SeriesStep::machine).
std::string machine_step(const Series& s, const std::vector<ChangePoint>& all, std::size_t k,
                         const std::vector<MachineSeries>& machine, double tolerance);

// Whether the step made `s` worse.
bool worse(const Series& s, const ChangePoint& c);

// The change points of `s` (none under 2 x options.min_size points) of at least `min_effect`,
// each judged against its case's series in `machine` with `tolerance` (a machine series itself
// is not judged).
std::vector<SeriesStep> series_steps(const Series& s, const ChangePointOptions& options,
                                     double min_effect, const MachineByCase& machine,
                                     double tolerance);

// `machine` judges the steps as series_steps does (empty: nothing known).
std::string history_report_html(const std::vector<Series>& series,
                                const std::vector<HistoryRun>& runs,
                                const ChangePointOptions& options, double min_effect,
                                const MachineByCase& machine, double tolerance,
                                const std::string& db_name);

}  // namespace parbench
