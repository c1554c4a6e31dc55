#pragma once
// One summary row per case, derived from its rows: wall-time statistics over the successful
// repetitions, medians of the other measurements and metrics, and speedup against the 1-worker
// case with the same workload, backend, pinning and parameters.
#include <optional>
#include <string>
#include <vector>

#include "row.hpp"
#include "stats.hpp"

namespace parbench {

struct SummaryRow {
  std::string workload, backend, pin;
  int workers = 1;
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t reps = 0;      // successful repetitions
  std::size_t errors = 0;    // error rows
  bool unsupported = false;  // the case cannot be measured here (the reason is in `error`)
  std::string error;         // the first error's text
  std::optional<Summary> wall_ns;
  std::optional<double> cpu_user_ns, cpu_sys_ns, vol_ctx_switches, invol_ctx_switches, startup_ns,
      start_skew_ns;
  std::optional<double> work_units;
  std::optional<double> work_per_s;  // work_units / median wall time
  std::optional<double> speedup;     // work_per_s relative to the 1-worker case
  std::optional<double> efficiency;  // speedup / workers
  std::vector<std::pair<std::string, std::optional<double>>> metric_medians;

  [[nodiscard]] bool ok() const { return errors == 0 && reps > 0; }
  // The parameter's value ("" when the workload lacks it) and a metric's median.
  [[nodiscard]] std::string param(const std::string& name) const;
  [[nodiscard]] std::optional<double> metric(const std::string& name) const;
  [[nodiscard]] std::string status() const {
    return unsupported ? "unsupported" : ok() ? "ok" : "error";
  }
};

std::vector<SummaryRow> summarize_rows(const std::vector<Row>& rows, const ReportSchema& schema);

std::vector<std::string> summary_header(const ReportSchema& schema);
std::vector<std::string> summary_cells(const SummaryRow& row, const ReportSchema& schema);
// The whole summary CSV as text.
std::string summary_csv(const std::vector<SummaryRow>& rows, const ReportSchema& schema);

}  // namespace parbench
