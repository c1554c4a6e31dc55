#include "console_table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "speedup_stack.hpp"
#include "summary_columns.hpp"
#include "unique_list.hpp"

namespace parbench {

// Columns of text are aligned by what a terminal shows: a UTF-8 character (µ) is one column.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad_to(const std::string& s, std::size_t width, bool left) {
  const std::string fill(width > display_width(s) ? width - display_width(s) : 0, ' ');
  return left ? s + fill : fill + s;
}

namespace {

// Columns padded to their widest cell; the first `left` columns and the last one (status text)
// left-aligned, numbers right.
std::string render(const std::vector<std::vector<std::string>>& table, std::size_t left) {
  std::vector<std::size_t> right;
  const std::size_t columns = table.empty() ? 0 : table.front().size();
  for (std::size_t i = left; i + 1 < columns; ++i) right.push_back(i);
  return format_text_table(table, right);
}

std::string metric_cell(const std::string& name, const std::optional<double>& v) {
  if (!v) return "-";
  if (name.ends_with("_ns")) return format_duration(*v);
  // Whole numbers from 1000 up (MB/s, ops/s): no exponent a reader must decode.
  if (std::fabs(*v) >= 1e3) return fmt::format("{:.0f}", *v);
  return fmt::format("{:.4g}", *v);
}

}  // namespace

std::string ratio_cell(const std::optional<double>& v, const char* suffix) {
  return v ? fmt::format("{:.2f}{}", *v, suffix) : "-";
}

std::string cv_cell(const SummaryRow& r) {
  const auto cv = r.cv();
  return cv ? fmt::format("{:.1f}%", *cv * 100) : "-";
}

std::string format_rate(double per_second) {
  const double a = std::fabs(per_second);
  if (a >= 1e9) return fmt::format("{:.3g} G/s", per_second / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g} M/s", per_second / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g} k/s", per_second / 1e3);
  return fmt::format("{:.3g} /s", per_second);
}

std::string format_limit(double value, const std::string& unit) {
  if (unit == "ns") return format_duration(value);
  if (unit == "x") return fmt::format("{:.2f}x", value);
  if (unit == "MB/s") return fmt::format("{:.0f} MB/s", value);
  if (unit.ends_with("/s") && value >= 1e6) return fmt::format("{:.3g}M {}", value / 1e6, unit);
  if (unit.ends_with("/s") && value >= 1e3) return fmt::format("{:.3g}k {}", value / 1e3, unit);
  return fmt::format("{:.0f} {}", value, unit);
}

std::string limit_cell(const SummaryRow& r) {
  if (!r.of_limit || !r.limit) return "-";
  return fmt::format("{:.0f}% of {}", *r.of_limit * 100, format_limit(*r.limit, r.limit_unit));
}

std::string format_duration(double ns) {
  const double a = std::fabs(ns);
  if (a < 1e3) return fmt::format("{:.0f} ns", ns);
  if (a < 1e6) return fmt::format("{:.3g} µs", ns / 1e3);
  if (a < 1e9) return fmt::format("{:.3g} ms", ns / 1e6);
  return fmt::format("{:.3g} s", ns / 1e9);
}

std::string status_cell(const SummaryRow& r) {
  if (r.unsupported) return "unsupported: " + r.error;
  if (!r.ok()) return "ERROR: " + r.error;
  return r.noisy.empty() ? "ok" : "ok, noisy: " + r.noisy;
}

namespace {

// Which columns one workload's table shows: the summary columns whose table view it shows
// (summary_columns.hpp), in their order, and only the parameters that tell its cases apart.
struct TableShape {
  std::vector<const SummaryColumn*> columns;
  std::vector<std::string> params;   // parameters with more than one value
  std::vector<std::string> metrics;  // in the order the rows have them
  [[nodiscard]] bool shows(std::string_view column) const {
    return std::any_of(columns.begin(), columns.end(),
                       [&](const SummaryColumn* c) { return c->name == column; });
  }
};

TableShape shape_of(const std::vector<const SummaryRow*>& mine, const TableColumns& extra) {
  TableShape t;
  for (const SummaryColumn& c : summary_columns()) {
    if (c.table.at > 0 && (!c.table.shown || c.table.shown(mine, extra))) t.columns.push_back(&c);
  }
  std::stable_sort(t.columns.begin(), t.columns.end(),
                   [](const auto* a, const auto* b) { return a->table.at < b->table.at; });
  t.params = varying_params(mine);
  for (const auto* r : mine) {
    for (const auto& m : r->metric_medians) add_unique(t.metrics, m.first);
  }
  return t;
}

// The header (r null) or a case's cells: the columns in order, the parameters and the metrics at
// their places.
std::vector<std::string> cells_of(const TableShape& t, const SummaryRow* r) {
  std::vector<std::string> out;
  const auto params = [&] {
    for (const auto& name : t.params) out.push_back(r != nullptr ? r->param(name) : name);
  };
  // A metric in ns is shown in human units: its header drops the unit the CSV name carries.
  const auto metrics = [&] {
    for (const auto& name : t.metrics) {
      if (r == nullptr) {
        out.push_back(name.ends_with("_ns") ? name.substr(0, name.size() - 3) : name);
        continue;
      }
      const auto it = std::find_if(r->metric_medians.begin(), r->metric_medians.end(),
                                   [&](auto& m) { return m.first == name; });
      out.push_back(it != r->metric_medians.end() ? metric_cell(name, it->second) : "-");
    }
  };
  bool params_done = false, metrics_done = false;
  for (const SummaryColumn* c : t.columns) {
    if (!params_done && c->table.at > kTableParamsAt) params(), params_done = true;
    if (!metrics_done && c->table.at > kTableMetricsAt) metrics(), metrics_done = true;
    out.push_back(r != nullptr ? c->table.cell(*r) : std::string(c->table.header));
  }
  if (!params_done) params();
  if (!metrics_done) metrics();
  return out;
}

// The columns that name the case: those before the figures, and the varying parameters.
std::size_t naming_columns(const TableShape& t) {
  return t.params.size() + static_cast<std::size_t>(std::count_if(
                               t.columns.begin(), t.columns.end(),
                               [](const SummaryColumn* c) { return c->table.names_case; }));
}

// "process w=2 pin=compact size=64": what tells the case apart from the workload's others.
std::string stack_label(const SummaryRow& r, const TableShape& t) {
  std::string out = fmt::format("{} w={}", r.backend, r.workers);
  if (t.shows("host")) out += " host=" + r.host;
  if (t.shows("pin")) out += " pin=" + r.pin;
  for (const auto& name : t.params) out += fmt::format(" {}={}", name, r.param(name));
  return out;
}

}  // namespace

std::string ci_cell(const SummaryRow& r) {
  if (!r.wall_ns || !r.wall_ns->ci95) return "-";
  return fmt::format("{} – {}", format_duration(r.wall_ns->ci95->lo),
                     format_duration(r.wall_ns->ci95->hi));
}

std::vector<WorkloadCases> cases_by_workload(const std::vector<SummaryRow>& rows) {
  std::vector<WorkloadCases> out;
  for (const auto& r : rows) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& w) { return w.first == r.workload; });
    if (it == out.end()) it = out.insert(out.end(), {r.workload, {}});
    it->second.push_back(&r);
  }
  return out;
}

std::vector<std::string> varying_params(const std::vector<const SummaryRow*>& cases) {
  std::vector<std::string> out;
  if (cases.empty()) return out;
  for (const auto& param : cases.front()->params) {
    std::set<std::string> seen;
    for (const auto* r : cases) seen.insert(r->param(param.first));
    if (seen.size() > 1) out.push_back(param.first);
  }
  return out;
}

std::vector<WorkloadTable> workload_tables(const std::vector<SummaryRow>& rows,
                                           const TableColumns& extra) {
  std::vector<WorkloadTable> tables;
  for (const auto& [workload, mine] : cases_by_workload(rows)) {
    const TableShape shape = shape_of(mine, extra);
    WorkloadTable t;
    t.workload = workload;
    for (const auto& param : mine.front()->params) {
      if (std::find(shape.params.begin(), shape.params.end(), param.first) == shape.params.end())
        t.shared.push_back(param);
    }
    t.header = cells_of(shape, nullptr);
    t.left = naming_columns(shape);
    for (const auto* r : mine) {
      t.rows.push_back(cells_of(shape, r));
      t.failed.push_back(r->status() != "ok");
      if (r->stack) t.stacks.push_back(stack_label(*r, shape) + ": " + stack_line(*r));
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

std::string format_summary_table(const std::vector<SummaryRow>& rows) {
  std::string out;
  for (const auto& t : workload_tables(rows)) {
    std::vector<std::vector<std::string>> table{t.header};
    table.insert(table.end(), t.rows.begin(), t.rows.end());
    out += fmt::format("\n{}\n", t.workload) + render(table, t.left);
    if (!t.stacks.empty()) out += "why not Nx (speedup stack, in speedup units):\n";
    for (const auto& line : t.stacks) out += "  " + line + "\n";
  }
  return out;
}

std::string format_text_table(const std::vector<std::vector<std::string>>& rows,
                              const std::vector<std::size_t>& right,
                              const std::string& line_prefix) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = line_prefix;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool r = std::find(right.begin(), right.end(), i) != right.end();
      line += pad_to(row[i], width[i], !r) + "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace parbench
