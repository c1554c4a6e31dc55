#pragma once
// RFC 4180 CSV output. Every row is flushed as soon as it is written, so a run that is interrupted
// or killed keeps every row it had finished. Fields never contain line breaks (they are replaced
// by spaces), so each record is one line, which is what the reader's parser expects.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

class CsvWriter {
 public:
  // Creates (truncates) path; throws std::system_error naming the file.
  explicit CsvWriter(const std::string& path);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void write_row(const std::vector<std::string>& fields);
  void close();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// The field as it appears in a CSV file: quoted when it holds a comma, quote or leading/trailing
// space; line breaks become spaces.
std::string csv_escape(std::string_view field);

// One CSV record, escaped and joined, ending in '\n'.
std::string csv_line(const std::vector<std::string>& fields);

// Numbers as text that reads back to the same value: integers in full, doubles in the shortest
// form that round-trips.
std::string format_number(double v);

// Writes `content` to path through a temporary file and rename, so readers never see half a file.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace parbench
