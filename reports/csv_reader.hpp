#pragma once
// Reads a CSV file back, with the Fast C++ CSV Parser (libfccp) doing the parsing and unquoting.
// The parser wants its column count at compile time; reports have a varying number of columns, so
// the table is read as up to kMaxColumns text columns and numbers are converted by the caller.
#include <cstddef>
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
