#pragma once
// One repetition of one case: the unit of the rows CSV. Everything else (summaries, plots,
// comparisons) is derived from rows, never the other way round.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "column_list.hpp"

namespace parbench {

struct Row {
  std::string workload;
  std::string backend;
  int workers = 1;
  std::string pin;   // the policy as given: none, compact, spread, 0+1
  std::string cpus;  // the CPU of each worker in order, joined by '+'; empty when not pinned
  // The machine that ran the case (gethostname). On the mpi backend, each worker's host joined by
  // '+' when they differ. Empty in reports written before the column existed.
  std::string host;
  std::vector<std::pair<std::string, std::string>> params;
  int rep = 0;                // 1..reps; 0 marks a failure during warm-up
  std::string status = "ok";  // ok | error | unsupported (with the reason in `error`)
  std::string error;
  std::optional<std::int64_t> wall_ns;
  // cpu_user_ns ... start_skew_ns: one field per line of column_list.hpp.
#define PARBENCH_ROW_FIELD(name, type, ...) std::optional<type> name;
  PARBENCH_MEASURED_COLUMNS(PARBENCH_ROW_FIELD)
#undef PARBENCH_ROW_FIELD
  std::optional<double> work_units;
  std::vector<std::pair<std::string, double>> metrics;

  [[nodiscard]] bool ok() const { return status == "ok"; }
  [[nodiscard]] bool unsupported() const { return status == "unsupported"; }
  [[nodiscard]] const std::string* param(const std::string& name) const;
  [[nodiscard]] std::optional<double> metric(const std::string& name) const;
};

// The columns a report has beyond the fixed ones: the union over its workloads, in order.
struct ReportSchema {
  std::vector<std::string> params;
  std::vector<std::string> metrics;
};

}  // namespace parbench
