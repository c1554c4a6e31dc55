#include "rows_csv.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "csv_reader.hpp"

namespace parbench {
namespace {

const std::vector<std::string> kHead = {"workload", "backend", "workers", "pin", "cpus"};
// After `cpus` since multi-host reports (the mpi backend, parbench merge); older reports lack it.
const std::string kHost = "host";
const std::vector<std::string> kMiddle = {"rep",
                                          "status",
                                          "error",
                                          "wall_ns",
                                          "cpu_user_ns",
                                          "cpu_sys_ns",
                                          "vol_ctx_switches",
                                          "invol_ctx_switches",
                                          "minor_faults",
                                          "major_faults",
                                          "cpu_migrations",
                                          "max_rss_kb",
                                          "steal_pct",
                                          "other_load_pct",
                                          "cycles",
                                          "instructions",
                                          "cache_misses",
                                          "branch_misses",
                                          "startup_ns",
                                          "start_skew_ns",
                                          "work_units"};
// Columns added after reports were first written: a report without them still reads, with the
// cells empty.
const std::vector<std::string> kAddedLater = {
    "minor_faults",   "major_faults", "cpu_migrations", "max_rss_kb",   "steal_pct",
    "other_load_pct", "cycles",       "instructions",   "cache_misses", "branch_misses"};

std::string opt_int(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; }
std::string opt_num(const std::optional<double>& v) { return v ? format_number(*v) : ""; }

template <class T>
std::optional<T> parse_cell(const std::string& cell, const CsvTable& table, std::size_t line,
                            const std::string& column) {
  if (cell.empty()) return std::nullopt;
  T value{};
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || ptr != cell.data() + cell.size()) {
    throw CsvError(fmt::format("{}: line {}: column {}: '{}' is not a number", table.path(), line,
                               column, cell));
  }
  return value;
}

}  // namespace

std::vector<std::string> rows_header(const ReportSchema& schema) {
  std::vector<std::string> h = kHead;
  h.push_back(kHost);
  h.insert(h.end(), schema.params.begin(), schema.params.end());
  h.insert(h.end(), kMiddle.begin(), kMiddle.end());
  h.insert(h.end(), schema.metrics.begin(), schema.metrics.end());
  return h;
}

std::vector<std::string> row_cells(const Row& row, const ReportSchema& schema) {
  std::vector<std::string> c = {row.workload, row.backend, std::to_string(row.workers), row.pin,
                                row.cpus, row.host};
  for (const auto& name : schema.params) {
    const std::string* v = row.param(name);
    c.push_back(v != nullptr ? *v : "");
  }
  c.insert(c.end(), {std::to_string(row.rep),
                     row.status,
                     row.error,
                     opt_int(row.wall_ns),
                     opt_int(row.cpu_user_ns),
                     opt_int(row.cpu_sys_ns),
                     opt_int(row.vol_ctx_switches),
                     opt_int(row.invol_ctx_switches),
                     opt_int(row.minor_faults),
                     opt_int(row.major_faults),
                     opt_int(row.cpu_migrations),
                     opt_int(row.max_rss_kb),
                     opt_num(row.steal_pct),
                     opt_num(row.other_load_pct),
                     opt_int(row.cycles),
                     opt_int(row.instructions),
                     opt_int(row.cache_misses),
                     opt_int(row.branch_misses),
                     opt_int(row.startup_ns),
                     opt_int(row.start_skew_ns),
                     opt_num(row.work_units)});
  for (const auto& name : schema.metrics) c.push_back(opt_num(row.metric(name)));
  return c;
}

std::vector<Row> read_rows(const std::string& path, ReportSchema* schema_out) {
  const CsvTable table = CsvTable::read(path);
  const auto& h = table.header();
  auto col = [&](const std::string& name) {
    const auto i = table.column(name);
    if (!i)
      throw CsvError(fmt::format("{}: not a parbench rows report: no column '{}'", path, name));
    return *i;
  };
  auto added_later = [](const std::string& name) {
    return std::find(kAddedLater.begin(), kAddedLater.end(), name) != kAddedLater.end();
  };
  for (const auto& name : kHead) col(name);
  for (const auto& name : kMiddle) {
    if (!added_later(name)) col(name);
  }
  const std::optional<std::size_t> host = table.column(kHost);
  const std::size_t first_param = host ? *host + 1 : col("cpus") + 1, rep = col("rep"),
                    first_metric = col("work_units") + 1;
  ReportSchema schema;
  schema.params.assign(h.begin() + static_cast<std::ptrdiff_t>(first_param),
                       h.begin() + static_cast<std::ptrdiff_t>(rep));
  schema.metrics.assign(h.begin() + static_cast<std::ptrdiff_t>(first_metric), h.end());

  std::vector<Row> rows;
  std::size_t line = 1;
  for (const auto& cells : table.rows()) {
    ++line;
    static const std::string kEmpty;
    auto cell = [&](const std::string& name) -> const std::string& {
      if (added_later(name) && !table.column(name)) return kEmpty;
      return cells[col(name)];
    };
    auto int64 = [&](const std::string& name) {
      return parse_cell<std::int64_t>(cell(name), table, line, name);
    };
    Row r;
    r.workload = cell("workload");
    r.backend = cell("backend");
    r.workers = parse_cell<int>(cell("workers"), table, line, "workers").value_or(0);
    r.pin = cell("pin");
    r.cpus = cell("cpus");
    if (host) r.host = cells[*host];
    for (std::size_t i = first_param; i < rep; ++i) {
      if (!cells[i].empty()) r.params.emplace_back(h[i], cells[i]);
    }
    r.rep = parse_cell<int>(cell("rep"), table, line, "rep").value_or(0);
    r.status = cell("status");
    r.error = cell("error");
    r.wall_ns = int64("wall_ns");
    r.cpu_user_ns = int64("cpu_user_ns");
    r.cpu_sys_ns = int64("cpu_sys_ns");
    r.vol_ctx_switches = int64("vol_ctx_switches");
    r.invol_ctx_switches = int64("invol_ctx_switches");
    r.minor_faults = int64("minor_faults");
    r.major_faults = int64("major_faults");
    r.cpu_migrations = int64("cpu_migrations");
    r.max_rss_kb = int64("max_rss_kb");
    r.steal_pct = parse_cell<double>(cell("steal_pct"), table, line, "steal_pct");
    r.other_load_pct = parse_cell<double>(cell("other_load_pct"), table, line, "other_load_pct");
    r.cycles = int64("cycles");
    r.instructions = int64("instructions");
    r.cache_misses = int64("cache_misses");
    r.branch_misses = int64("branch_misses");
    r.startup_ns = int64("startup_ns");
    r.start_skew_ns = int64("start_skew_ns");
    r.work_units = parse_cell<double>(cell("work_units"), table, line, "work_units");
    for (std::size_t i = first_metric; i < h.size(); ++i) {
      if (auto v = parse_cell<double>(cells[i], table, line, h[i]))
        r.metrics.emplace_back(h[i], *v);
    }
    rows.push_back(std::move(r));
  }
  if (schema_out != nullptr) *schema_out = schema;
  return rows;
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
