#pragma once
// Reads a CSV file back, with the Fast C++ CSV Parser (libfccp) doing the parsing and unquoting.
// The parser wants its column count at compile time; reports have a varying number of columns, so
// the table is read as up to kMaxColumns text columns and numbers are converted by the caller.
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace parbench {

class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CsvTable {
 public:
  static constexpr std::size_t kMaxColumns = 128;

  // Throws CsvError naming the file and, where it applies, the line.
  static CsvTable read(const std::string& path);

  // Reads the file one line at a time without keeping it: on_header gets the column names, then
  // on_row each data line's cells (as many as columns) with its line number. For files larger than
  // memory should hold twice. Throws like read().
  using HeaderFn = std::function<void(const std::vector<std::string>&)>;
  using RowFn = std::function<void(std::size_t line, const std::vector<std::string>&)>;
  static void scan(const std::string& path, const HeaderFn& on_header, const RowFn& on_row);

  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }
  [[nodiscard]] const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  [[nodiscard]] std::optional<std::size_t> column(const std::string& name) const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace parbench
