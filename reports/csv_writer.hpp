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
#include <system_error>
#include <vector>

namespace parbench {

// A report file could not be written (disk full, no permission, file-size limit): exit status 3.
// What was written before is whole.
class ReportWriteError : public std::system_error {
 public:
  ReportWriteError(int err, const std::string& what)
      : std::system_error(err, std::generic_category(), what) {}
};

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

// Writes `content` to path through a temporary file and rename, so readers never see half a file.
// Throws ReportWriteError (the temporary file removed, `path` as it was).
void write_file_atomically(const std::string& path, std::string_view content);

// For a file written earlier with room to spare (trailing spaces, which JSON ignores): writes
// `content` over it, padded with spaces to the file's size, in one write that needs no new disk
// space. Where write_file_atomically fails for a full disk, this can still record why. Throws
// ReportWriteError when the content does not fit or the write fails.
void overwrite_in_place(const std::string& path, std::string_view content);

}  // namespace parbench
