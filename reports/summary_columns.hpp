#pragma once
// The summary CSV's columns, each declared once: its name, its unit, which way is better (none
// for a key, a count of repetitions or text), how its value comes from a SummaryRow, how its
// cell is written, and how it shows in the per-workload tables of the console and the report
// (header, place, when shown, cell in human units). The CSV header and cells, those tables,
// compare's direction lookup and the JSON export read this table. The case's parameters follow
// the key columns; the workload's own metric medians ("median_<metric>") follow the table's last
// column.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "columns.hpp"
#include "console_table.hpp"
#include "summary.hpp"

namespace parbench {

// A column in the per-workload tables (console_table.cpp): its header, its place (ascending; 0:
// not in the tables), whether it names the case (left-aligned, before the figures), when a
// workload's table shows it (from the workload's cases and the extras asked for; empty: always),
// and its cell. The case's varying parameters go at kTableParamsAt, the workload's metrics at
// kTableMetricsAt.
struct TableView {
  std::string_view header;
  int at = 0;
  bool names_case = false;
  std::function<bool(const std::vector<const SummaryRow*>&, const TableColumns&)> shown;
  std::function<std::string(const SummaryRow&)> cell;
};
inline constexpr int kTableParamsAt = 45;
inline constexpr int kTableMetricsAt = 115;

struct SummaryColumn {
  enum class Part { Key, Figures };  // before the parameters, or after them
  std::string_view name;
  std::string_view unit;            // ns, x, count, ... ; "" for text
  std::optional<Direction> better;  // empty: not a figure that gets better or worse
  Part part = Part::Figures;
  std::function<std::string(const SummaryRow&)> cell;
  std::function<std::optional<double>(const SummaryRow&)> value;  // empty for text columns
  TableView table = {};
};

// In the summary CSV's order.
std::span<const SummaryColumn> summary_columns();
// nullptr when no summary column has that name.
const SummaryColumn* find_summary_column(std::string_view name);

}  // namespace parbench
