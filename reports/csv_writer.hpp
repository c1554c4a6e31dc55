#pragma once
// RFC 4180 CSV output. Every row goes to the file in one write as soon as it is made, so a run that
// is interrupted or killed keeps every row it had finished; a write that fails part-way (a full
// disk) is cut back to the last whole line, so the file never ends in half a row. Fields never
// contain line breaks (they are replaced by spaces), so each record is one line, which is what the
// reader's parser expects.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output_file.hpp"

namespace parbench {

class CsvWriter {
 public:
  // Creates (truncates) path; throws ReportWriteError naming the file.
  explicit CsvWriter(const std::string& path);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // Appends one line; on failure the file keeps only the lines before it and ReportWriteError is
  // thrown.
  void write_row(const std::vector<std::string>& fields);
  void close();

 private:
  std::string path_;
  int fd_ = -1;
  std::int64_t size_ = 0;  // bytes of whole lines written
};

// The field as it appears in a CSV file: quoted when it holds a comma, quote or leading/trailing
// space; line breaks become spaces.
std::string csv_escape(std::string_view field);

// One CSV record, escaped and joined, ending in '\n'.
std::string csv_line(const std::vector<std::string>& fields);

// Numbers as text that reads back to the same value: integers in full, doubles in the shortest
// form that round-trips.
std::string format_number(double v);

// A cell of an optional value: the number, or empty for "not measured" (never 0).
std::string format_optional(const std::optional<std::int64_t>& v);
std::string format_optional(const std::optional<double>& v);

}  // namespace parbench
