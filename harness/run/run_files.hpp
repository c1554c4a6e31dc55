#pragma once
// The files of one `parbench run`: PREFIX.csv and PREFIX.timeline.csv streamed as repetitions end,
// PREFIX.summary.csv and PREFIX.meta.json at the end (also after Ctrl-C, a full disk, or before an
// MPI job ends early). Every file is whole or absent; meta.json says why a run did not complete.
#include <optional>
#include <string>
#include <vector>

#include "report_meta.hpp"
#include "rows_csv.hpp"
#include "runner.hpp"
#include "summary.hpp"
#include "timeline_csv.hpp"

namespace parbench {

// Keeps every row in memory for the summary while streaming it to the rows CSV.
class CollectingSink final : public RowSink {
 public:
  CollectingSink(const std::string& path, const ReportSchema& schema) : csv_(path, schema) {}
  void write(const Row& row) override {
    csv_.write(row);
    rows_.push_back(row);
  }
  [[nodiscard]] const std::vector<Row>& rows() const { return rows_; }

 private:
  RowsCsvSink csv_;
  std::vector<Row> rows_;
};

class RunFiles {
 public:
  // Writes the first meta.json (complete: false) and opens the streamed files; throws
  // ReportWriteError when they cannot be written.
  RunFiles(std::string prefix, ReportMeta meta, ReportSchema schema);

  [[nodiscard]] CollectingSink& rows() { return *rows_; }
  [[nodiscard]] TimelineCsvSink& timeline() { return *timeline_; }
  [[nodiscard]] const std::string& prefix() const { return prefix_; }
  [[nodiscard]] std::string meta_path() const { return prefix_ + ".meta.json"; }

  // The summary of the rows so far and the final meta.json: `ended_by` says why the run did not
  // complete ("" when it did), `signal` the signal that interrupted it (0 when none). meta.json is
  // written even when the summary cannot be, and on a full disk in the room its first version
  // kept. Rethrows the summary's ReportWriteError after meta.json is written.
  std::vector<SummaryRow> finish(const std::string& ended_by, int signal);

 private:
  void write_meta();

  std::string prefix_;
  ReportMeta meta_;
  ReportSchema schema_;
  // Opened after the first meta.json is written: a run whose rows cannot be written still says
  // what it was.
  std::optional<CollectingSink> rows_;
  std::optional<TimelineCsvSink> timeline_;
};

}  // namespace parbench
