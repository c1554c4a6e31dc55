#pragma once
// The summary CSV's columns, each declared once: its name, its unit, which way is better (none
// for a key, a count of repetitions or text), how its value comes from a SummaryRow and how its
// cell is written. The CSV header and cells, compare's direction lookup and the JSON export read
// this table. The case's parameters follow the key columns; the workload's own metric medians
// ("median_<metric>") follow the table's last column.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "columns.hpp"
#include "summary.hpp"

namespace parbench {

struct SummaryColumn {
  enum class Part { Key, Figures };  // before the parameters, or after them
  std::string_view name;
  std::string_view unit;            // ns, x, count, ... ; "" for text
  std::optional<Direction> better;  // empty: not a figure that gets better or worse
  Part part = Part::Figures;
  std::function<std::string(const SummaryRow&)> cell;
  std::function<std::optional<double>(const SummaryRow&)> value;  // empty for text columns
};

// In the summary CSV's order.
std::span<const SummaryColumn> summary_columns();
// nullptr when no summary column has that name.
const SummaryColumn* find_summary_column(std::string_view name);

}  // namespace parbench
