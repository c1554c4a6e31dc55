#pragma once
// parbench merge: reports from several machines as one. Each input is a run's prefix (PREFIX.csv
// and, when present, PREFIX.meta.json); the result has every row with its host, a summary made per
// input (each under its own machine's noise rule), and a meta.json listing each machine.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report_meta.hpp"
#include "row.hpp"
#include "summary.hpp"

namespace parbench {

struct MergeInput {
  std::string prefix;  // PREFIX of PREFIX.csv; a trailing ".csv" is accepted and dropped
  std::string label;   // when set, the host column of every row of this input becomes it
};

// clang-tidy 14 flags the implicit constructors of a struct holding an nlohmann::json; nothing
// here is declared noexcept.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct MergedReport {
  std::vector<Row> rows;
  ReportSchema schema;  // the union of the inputs' parameters and metrics, in first-seen order
  std::vector<SummaryRow> summary;
  ReportMeta meta;  // machines: each input's source, host, label, machine and run
};

// Reads and checks every input first. Throws BadInput when an input cannot be read, is not a
// report, or shares a host with another input (two runs on one machine need --label to stay
// apart). An empty host column (a report older than the column) takes the meta.json hostname.
MergedReport merge_reports(const std::vector<MergeInput>& inputs);

// PREFIX.csv, PREFIX.summary.csv and PREFIX.meta.json, each written whole through a rename.
void write_merged(const std::string& prefix, const MergedReport& merged);

}  // namespace parbench
