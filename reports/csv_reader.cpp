#include "csv_reader.hpp"

#include <fmt/core.h>
// libfccp copies the file name into a fixed buffer with strncpy, on purpose truncating long names;
// GCC flags that copy in our translation unit once it is inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <array>
#include <fstream>
#include <utility>

namespace parbench {
namespace {

using Reader =
    io::CSVReader<CsvTable::kMaxColumns, io::trim_chars<>, io::double_quote_escape<',', '"'>>;

// The parser must be told the column names before it reads the header, so the header line is
// split here first (with the same quoting rules); every data line is then parsed by libfccp.
std::vector<std::string> read_header_names(const std::string& path) {
  io::LineReader lines(path);
  char* first = lines.next_line();
  if (first == nullptr) throw CsvError(fmt::format("{}: empty file, expected a header line", path));
  std::vector<std::string> names;
  std::string field;
  bool quoted = false;
  for (const char* p = first;; ++p) {
    const char c = *p;
    if (c == '"') {
      if (quoted && p[1] == '"') {
        field += '"';
        ++p;
      } else {
        quoted = !quoted;
      }
    } else if ((c == ',' && !quoted) || c == '\0') {
      names.push_back(field);
      field.clear();
      if (c == '\0') break;
    } else {
      field += c;
    }
  }
  return names;
}

template <std::size_t... I>
void read_header(Reader& reader, const std::array<std::string, CsvTable::kMaxColumns>& names,
                 std::index_sequence<I...> /*unused*/) {
  reader.read_header(io::ignore_missing_column, names[I]...);
}

template <std::size_t... I>
bool read_row(Reader& reader, std::array<std::string, CsvTable::kMaxColumns>& cells,
              std::index_sequence<I...> /*unused*/) {
  return reader.read_row(cells[I]...);
}

}  // namespace

CsvTable CsvTable::read(const std::string& path) {
  if (!std::ifstream(path).good()) throw CsvError(fmt::format("{}: cannot open for reading", path));
  CsvTable table;
  table.path_ = path;
  try {
    table.header_ = read_header_names(path);
    if (table.header_.size() > kMaxColumns) {
      throw CsvError(fmt::format("{}: {} columns, at most {} are supported", path,
                                 table.header_.size(), kMaxColumns));
    }
    // Unused slots get names that cannot be in the file; ignore_missing_column leaves them empty.
    std::array<std::string, kMaxColumns> names;
    for (std::size_t i = 0; i < kMaxColumns; ++i) {
      names[i] = i < table.header_.size() ? table.header_[i] : fmt::format("\x01unused{}", i);
    }
    Reader reader(path);
    read_header(reader, names, std::make_index_sequence<kMaxColumns>{});
    std::array<std::string, kMaxColumns> cells;
    while (read_row(reader, cells, std::make_index_sequence<kMaxColumns>{})) {
      table.rows_.emplace_back(cells.begin(),
                               cells.begin() + static_cast<std::ptrdiff_t>(table.header_.size()));
    }
  } catch (const io::error::base& e) {
    throw CsvError(fmt::format("{}: malformed CSV: {}", path, e.what()));
  }
  return table;
}

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace parbench
