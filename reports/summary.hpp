#pragma once
// One summary row per case, derived from its rows: wall-time statistics over the successful
// repetitions, medians of the other measurements and metrics, and speedup against the 1-worker
// case with the same workload, backend, pinning, host and parameters.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "row.hpp"
#include "stats.hpp"

namespace parbench {

// A coefficient of variation from fewer repetitions says nothing: it is left blank (CSV, console,
// report, export) and flags no noise below this many.
inline constexpr std::size_t kMinRepsForCv = 3;

// Where a multi-worker case's speedup short of its worker count went, in speedup units: the
// achieved speedup plus these add up to the worker count (speedup_stack.hpp). A component this
// report cannot measure is empty, and the row's stack_note says why.
struct SpeedupStack {
  std::optional<double> start_skew;  // released at the gate but not yet working
  std::optional<double> imbalance;   // done, waiting for the last worker
  std::optional<double> off_cpu;     // blocked or sleeping inside the timed region
  std::optional<double> others_cpu;  // runnable while other load or the hypervisor had the CPU
  std::optional<double> more_cpu;    // CPU time per unit of work above the 1-worker case's
  std::optional<double> ceiling;     // of the two above, what independent loops also lose here
  double residual = 0;               // workers - speedup - the rest
};

// One successful repetition, as the speedup stack reads it.
struct RepTimes {
  double wall_ns = 0;
  double work = 0;
  double cpu_ns = 0;                            // user + system over the workers
  std::optional<double> skew_ns, imbalance_ns;  // summed over the workers
  std::optional<double> others_ns;              // CPU time other load and steal took meanwhile
};

struct SummaryRow {
  std::string workload, backend, pin;
  std::string host;  // the rows' host column: cases from different machines stay apart
  int workers = 1;
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t reps = 0;      // successful repetitions
  std::size_t errors = 0;    // error rows
  bool unsupported = false;  // the case cannot be measured here (the reason is in `error`)
  std::string error;         // the first error's text
  std::optional<Summary> wall_ns;
  // The median of each column of column_list.hpp, by its name.
#define PARBENCH_SUMMARY_FIELD(name, ...) std::optional<double> name;
  PARBENCH_MEASURED_COLUMNS(PARBENCH_SUMMARY_FIELD)
#undef PARBENCH_SUMMARY_FIELD
  std::optional<double> ipc;  // median instructions / median cycles
  // On CPU / (wall x the CPUs the workers could use): 1 when every worker computed all the time.
  std::optional<double> on_cpu;
  std::string noisy;  // why the figures are suspect, "" when nothing was seen
  std::optional<double> work_units;
  std::optional<double> work_per_s;  // work_units / median wall time
  std::optional<double> speedup;     // work_per_s relative to the 1-worker case
  std::optional<double> efficiency;  // speedup / workers
  // How far from what the machine allows (of_limit.hpp): which limit, its value, the fraction.
  std::string limit_name;
  std::string limit_unit;  // x, ns or MB/s (not a CSV column: limit_name says it)
  std::optional<double> limit;
  std::optional<double> of_limit;
  std::vector<std::pair<std::string, std::optional<double>>> metric_medians;
  std::optional<SpeedupStack> stack;  // multi-worker cases with a speedup
  std::string stack_note;             // why there is no stack, or a component is missing
  std::vector<RepTimes> rep_times;    // not a column: what the stack is computed from

  [[nodiscard]] bool ok() const { return errors == 0 && reps > 0; }
  // The parameter's value ("" when the workload lacks it) and a metric's median.
  [[nodiscard]] std::string param(const std::string& name) const;
  [[nodiscard]] std::optional<double> metric(const std::string& name) const;
  // The wall times' coefficient of variation, from kMinRepsForCv repetitions on; else empty.
  [[nodiscard]] std::optional<double> cv() const {
    if (!wall_ns || wall_ns->n < kMinRepsForCv) return std::nullopt;
    return wall_ns->cv;
  }
  [[nodiscard]] std::string status() const {
    return unsupported ? "unsupported" : ok() ? "ok" : "error";
  }
};

// When a case's figures are suspect. Its summary row then says why in the `noisy` column.
struct NoiseRule {
  double max_steal_pct = 5;        // the hypervisor took more than this share of the CPUs
  double max_other_load_pct = 20;  // other processes used more than this share of the CPUs
  double max_cv = 0.10;            // the repetitions' wall times spread more than this (3 or more)
  // For workloads that compute all the time: on_cpu below this means the workers were waiting
  // for a CPU (or the hypervisor) instead of running. Not applied to backends whose workers
  // compute one at a time by design (BackendTraits::serializes_computation: an interpreter lock).
  double min_on_cpu = 0.8;
  std::vector<std::string> cpu_bound;  // such workloads, by name
  // Of those, the ones memory bandwidth bounds (their limit is the memory ceiling), by name.
  std::vector<std::string> memory_bound;
  // Such backends, by name, as the run's backends declared them. Reports written before the field
  // existed had one: py_thread.
  std::vector<std::string> serialized_backends = {"py_thread"};
  int cpus = 0;  // CPUs the run could use; 0 leaves on_cpu empty
};

// As written to PREFIX.meta.json (run.noise_rule), so a report made later flags the same cases.
nlohmann::json noise_rule_json(const NoiseRule& rule);
NoiseRule noise_rule_from_json(const nlohmann::json& j);  // defaults for what j lacks

std::vector<SummaryRow> summarize_rows(const std::vector<Row>& rows, const ReportSchema& schema,
                                       const NoiseRule& noise = {});

std::vector<std::string> summary_header(const ReportSchema& schema);
std::vector<std::string> summary_cells(const SummaryRow& s, const ReportSchema& schema);
// The whole summary CSV as text.
std::string summary_csv(const std::vector<SummaryRow>& rows, const ReportSchema& schema);

}  // namespace parbench
