#pragma once
// The rows CSV (PREFIX.csv): its columns, a Row as cells, and reading a file back into Rows.
// Column order: workload, backend, workers, pin, cpus, host, <params>, rep, status, error, wall_ns,
// the CPU time, switch, fault and counter columns, startup_ns, start_skew_ns, work_units,
// <metrics>. Parameters are the columns between `host` (`cpus` in reports older than `host`) and
// `rep`, metrics the columns after `work_units`.
#include <string>
#include <vector>

#include "csv_writer.hpp"
#include "row.hpp"

namespace parbench {

std::vector<std::string> rows_header(const ReportSchema& schema);
std::vector<std::string> row_cells(const Row& row, const ReportSchema& schema);

// Throws CsvError (unreadable file, missing fixed columns, a malformed number with its line).
std::vector<Row> read_rows(const std::string& path, ReportSchema* schema = nullptr);
// The same for a report a user named: a CsvError becomes BadInput ("CONTEXT: what is wrong").
std::vector<Row> read_report_rows(const std::string& path, ReportSchema* schema,
                                  const std::string& context);

// Receives rows as they are produced.
class RowSink {
 public:
  RowSink() = default;
  virtual ~RowSink() = default;
  RowSink(const RowSink&) = delete;
  RowSink& operator=(const RowSink&) = delete;
  virtual void write(const Row& row) = 0;
};

// Streams rows to PREFIX.csv, one flushed line each.
class RowsCsvSink final : public RowSink {
 public:
  RowsCsvSink(const std::string& path, ReportSchema schema);
  void write(const Row& row) override;

 private:
  ReportSchema schema_;
  CsvWriter writer_;
};

}  // namespace parbench
