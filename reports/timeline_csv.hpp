#pragma once
// PREFIX.timeline.csv: one line per worker per measured repetition, with the moments that make a
// Gantt chart (launch, check-in at the gate, gate release, work start and end) on the
// CLOCK_MONOTONIC time line every process shares, plus the worker's own counts. The case columns
// are those of the rows CSV, so a timeline line joins its row on (case, rep).
#include <string>
#include <vector>

#include "csv_writer.hpp"
#include "row.hpp"
#include "run_workers.hpp"

namespace parbench {

class TimelineSink {
 public:
  TimelineSink() = default;
  virtual ~TimelineSink() = default;
  TimelineSink(const TimelineSink&) = delete;
  TimelineSink& operator=(const TimelineSink&) = delete;
  // `row` names the case and repetition; `run` holds its workers' timings.
  virtual void write(const Row& row, const RunResult& run) = 0;
};

std::vector<std::string> timeline_header(const ReportSchema& schema);

class TimelineCsvSink final : public TimelineSink {
 public:
  TimelineCsvSink(const std::string& path, ReportSchema schema);
  void write(const Row& row, const RunResult& run) override;

 private:
  ReportSchema schema_;
  CsvWriter writer_;
};

}  // namespace parbench
