#include "rows_csv.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "bad_input.hpp"
#include "columns.hpp"
#include "csv_reader.hpp"

namespace parbench {
namespace {

const std::vector<std::string> kHead = {"workload", "backend", "workers", "pin", "cpus"};
// After `cpus` since multi-host reports (the mpi backend, parbench merge); older reports lack it.
const std::string kHost = "host";
// rep, status, error, then the measured columns (columns.hpp), in the table's order.
const std::vector<std::string>& middle_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {"rep", "status", "error"};
    for (const Column& c : measured_columns()) v.emplace_back(c.name);
    return v;
  }();
  return names;
}

// Columns added after reports were first written: a report without them still reads, with the
// cells empty.
bool added_later(const std::string& name) {
  const Column* c = find_column(name);
  return c != nullptr && c->added_later;
}

}  // namespace

std::vector<std::string> rows_header(const ReportSchema& schema) {
  std::vector<std::string> h = kHead;
  h.push_back(kHost);
  h.insert(h.end(), schema.params.begin(), schema.params.end());
  h.insert(h.end(), middle_columns().begin(), middle_columns().end());
  h.insert(h.end(), schema.metrics.begin(), schema.metrics.end());
  return h;
}

std::vector<std::string> row_cells(const Row& row, const ReportSchema& schema) {
  std::vector<std::string> c = {row.workload, row.backend, std::to_string(row.workers),
                                row.pin,      row.cpus,    row.host};
  for (const auto& name : schema.params) {
    const std::string* v = row.param(name);
    c.push_back(v != nullptr ? *v : "");
  }
  c.insert(c.end(), {std::to_string(row.rep), row.status, row.error});
  for (const Column& col : measured_columns()) c.push_back(col.cell(row));
  for (const auto& name : schema.metrics) c.push_back(format_optional(row.metric(name)));
  return c;
}

namespace {

// Where the fixed columns of a rows report sit; params and metrics are the columns between them.
struct RowsLayout {
  std::vector<std::string> header;
  std::unordered_map<std::string, std::size_t> index;
  std::optional<std::size_t> host;
  std::size_t first_param = 0, rep = 0, first_metric = 0;

  [[nodiscard]] std::optional<std::size_t> at(const std::string& name) const {
    const auto it = index.find(name);
    return it == index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }
};

std::string expected_order() {
  return fmt::format("{}, {}, <parameters>, {}, <metrics>", fmt::join(kHead, ", "), kHost,
                     fmt::join(middle_columns(), ", "));
}

// Checks that every fixed column is there and in the order a report has them: a moved column
// would otherwise be read as a parameter or a metric.
RowsLayout layout_of(const std::string& path, const std::vector<std::string>& header) {
  RowsLayout l;
  l.header = header;
  for (std::size_t i = header.size(); i-- > 0;) l.index[header[i]] = i;  // the first of a name
  std::vector<std::pair<std::string, std::size_t>> present;
  auto need = [&](const std::string& name) {
    const auto i = l.at(name);
    if (!i && !added_later(name)) {
      throw CsvError(fmt::format("{}: not a parbench rows report: no column '{}' (expected: {})",
                                 path, name, expected_order()));
    }
    if (i) present.emplace_back(name, *i);
    return i;
  };
  for (const auto& name : kHead) need(name);
  l.host = l.at(kHost);
  if (l.host) present.emplace_back(kHost, *l.host);
  for (const auto& name : middle_columns()) need(name);
  for (std::size_t k = 1; k < present.size(); ++k) {
    if (present[k].second < present[k - 1].second) {
      throw CsvError(fmt::format(
          "{}: column '{}' comes before '{}'; a parbench rows report has its columns in this "
          "order: {}",
          path, present[k].first, present[k - 1].first, expected_order()));
    }
  }
  l.first_param = (l.host ? *l.host : *l.at("cpus")) + 1;
  l.rep = *l.at("rep");
  l.first_metric = *l.at("work_units") + 1;
  // Between the fixed columns of middle_columns() there is nothing else.
  if (*l.at("work_units") - l.rep + 1 != present.size() - kHead.size() - (l.host ? 1 : 0)) {
    throw CsvError(
        fmt::format("{}: unexpected columns between 'rep' and 'work_units'; expected: {}", path,
                    expected_order()));
  }
  return l;
}

std::size_t count_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  std::size_t lines = 0;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    lines += static_cast<std::size_t>(std::count(buf.data(), buf.data() + in.gcount(), '\n'));
  }
  return lines;
}

Row parse_row(const std::string& path, const RowsLayout& l, std::size_t line,
              const std::vector<std::string>& cells) {
  static const std::string kEmpty;
  auto cell = [&](const std::string& name) -> const std::string& {
    const auto i = l.at(name);
    return i ? cells[*i] : kEmpty;
  };
  auto bad = [&](const std::string& column, const std::string& value, const char* expected) {
    return CsvError(fmt::format("{}: line {}: column {}: '{}' is not allowed; expected {}", path,
                                line, column, value, expected));
  };
  auto number = [&]<class T>(const std::string& name, T /*type*/) -> std::optional<T> {
    const std::string& c = cell(name);
    if (c.empty()) return std::nullopt;
    T value{};
    const auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), value);
    if (ec != std::errc() || ptr != c.data() + c.size()) throw bad(name, c, "a number");
    return value;
  };
  Row r;
  r.workload = cell("workload");
  r.backend = cell("backend");
  r.workers = number("workers", int{}).value_or(0);
  if (r.workers < 1) throw bad("workers", cell("workers"), "a worker count of 1 or more");
  r.pin = cell("pin");
  r.cpus = cell("cpus");
  if (l.host) r.host = cells[*l.host];
  for (std::size_t i = l.first_param; i < l.rep; ++i) {
    if (!cells[i].empty()) r.params.emplace_back(l.header[i], cells[i]);
  }
  r.rep = number("rep", int{}).value_or(-1);
  if (r.rep < 0) throw bad("rep", cell("rep"), "a repetition number of 0 or more");
  r.status = cell("status");
  if (r.status != "ok" && r.status != "error" && r.status != "unsupported")
    throw bad("status", r.status, "ok, error or unsupported");
  r.error = cell("error");
  const std::string where = fmt::format("{}: line {}", path, line);
  for (const Column& col : measured_columns()) col.parse(r, cell(std::string(col.name)), where);
  if (r.ok() && !(r.wall_ns && *r.wall_ns > 0)) {
    throw bad("wall_ns", cell("wall_ns"), "a positive time in ns on a row whose status is ok");
  }
  for (std::size_t i = l.first_metric; i < l.header.size(); ++i) {
    if (auto v = number(l.header[i], double{})) r.metrics.emplace_back(l.header[i], *v);
  }
  return r;
}

}  // namespace

std::vector<Row> read_rows(const std::string& path, ReportSchema* schema_out) {
  RowsLayout layout;
  std::vector<Row> rows;
  // Reserved to the line count: a vector grown by doubling would hold up to twice the rows' size,
  // and three times while it moves them.
  rows.reserve(count_lines(path));
  // Streamed: only the Rows are kept, never the file's cells as text besides them.
  CsvTable::scan(
      path, [&](const std::vector<std::string>& header) { layout = layout_of(path, header); },
      [&](std::size_t line, const std::vector<std::string>& cells) {
        rows.push_back(parse_row(path, layout, line, cells));
      });
  if (layout.header.empty())
    throw CsvError(fmt::format("{}: empty file, expected a header line", path));
  if (schema_out != nullptr) {
    const auto& h = layout.header;
    schema_out->params.assign(h.begin() + static_cast<std::ptrdiff_t>(layout.first_param),
                              h.begin() + static_cast<std::ptrdiff_t>(layout.rep));
    schema_out->metrics.assign(h.begin() + static_cast<std::ptrdiff_t>(layout.first_metric),
                               h.end());
  }
  return rows;
}

std::vector<Row> read_report_rows(const std::string& path, ReportSchema* schema,
                                  const std::string& context) {
  try {
    return read_rows(path, schema);
  } catch (const CsvError& e) {
    throw BadInput(fmt::format("{}: {}", context, e.what()));
  }
}

const std::string* Row::param(const std::string& name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::optional<double> Row::metric(const std::string& name) const {
  for (const auto& [k, v] : metrics) {
    if (k == name) return v;
  }
  return std::nullopt;
}

RowsCsvSink::RowsCsvSink(const std::string& path, ReportSchema schema)
    : schema_(std::move(schema)), writer_(path) {
  writer_.write_row(rows_header(schema_));
}

void RowsCsvSink::write(const Row& row) { writer_.write_row(row_cells(row, schema_)); }

}  // namespace parbench
