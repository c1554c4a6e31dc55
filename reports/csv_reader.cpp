#include "csv_reader.hpp"

#include <fmt/core.h>
// libfccp copies the file name into a fixed buffer with strncpy, on purpose truncating long names;
// GCC flags that copy in our translation unit once it is inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <array>
#include <filesystem>
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

void CsvTable::scan(const std::string& path, const HeaderFn& on_header, const RowFn& on_row) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw CsvError(fmt::format("{}: is a directory; expected a report file (PREFIX.csv)", path));
  }
  if (!std::ifstream(path).good()) throw CsvError(fmt::format("{}: cannot open for reading", path));
  try {
    const std::vector<std::string> header = read_header_names(path);
    if (header.size() > kMaxColumns) {
      throw CsvError(fmt::format("{}: {} columns, at most {} are supported", path, header.size(),
                                 kMaxColumns));
    }
    on_header(header);
    // Unused slots get names that cannot be in the file; ignore_missing_column leaves them empty.
    std::array<std::string, kMaxColumns> names;
    for (std::size_t i = 0; i < kMaxColumns; ++i) {
      names[i] = i < header.size() ? header[i] : fmt::format("\x01unused{}", i);
    }
    Reader reader(path);
    read_header(reader, names, std::make_index_sequence<kMaxColumns>{});
    std::array<std::string, kMaxColumns> cells;
    std::vector<std::string> row(header.size());
    while (read_row(reader, cells, std::make_index_sequence<kMaxColumns>{})) {
      for (std::size_t i = 0; i < row.size(); ++i) row[i].swap(cells[i]);
      on_row(static_cast<std::size_t>(reader.get_file_line()), row);
    }
  } catch (const io::error::base& e) {
    throw CsvError(fmt::format("{}: malformed CSV: {}", path, e.what()));
  }
}

CsvTable CsvTable::read(const std::string& path) {
  CsvTable table;
  table.path_ = path;
  scan(
      path, [&](const std::vector<std::string>& header) { table.header_ = header; },
      [&](std::size_t /*line*/, const std::vector<std::string>& cells) {
        table.rows_.push_back(cells);
      });
  return table;
}

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace parbench
