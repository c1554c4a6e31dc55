#pragma once
// The measured columns of a row, each declared once: its name (in the rows CSV, and with a
// "median_" prefix in the summary), its unit, which way is better, how the summary aggregates it,
// where in the summary it goes, where its value comes from in a repetition's RunResult, and the
// fields of Row and SummaryRow that hold it. The rows CSV reader and writer, the runner, the
// summary and compare iterate this table; its entries come from column_list.hpp, where a new
// column is one line.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "row.hpp"
#include "run_workers.hpp"
#include "summary.hpp"

namespace parbench {

enum class Direction { LowerIsBetter, HigherIsBetter };

struct Column {
  enum class Aggregate {
    WallStats,    // wall_ns: the summary's full statistics (median, CI, percentiles)
    Median,       // the median of the repetitions that have it
    MedianOfAll,  // a kernel or counter figure: the median only when every repetition has it
    Last,         // the same in every repetition (work_units)
  };
  // The summary's columns: the wall statistics, then the medians of `Main` columns, then ipc,
  // on_cpu and noisy, then the medians of `Timing` columns, then work_units and the rates.
  enum class Place { Wall, Main, Timing, Work };
  using IntField = std::optional<std::int64_t> Row::*;
  using RealField = std::optional<double> Row::*;

  std::string_view name;
  std::string_view unit;  // ns, count, KiB, %, the workload's unit
  Direction better = Direction::LowerIsBetter;
  Aggregate aggregate = Aggregate::Median;
  Place place = Place::Main;
  bool added_later = false;  // reports written before it lack the column: read as empty
  std::variant<IntField, RealField> field;
  std::optional<double> SummaryRow::*summary = nullptr;           // null for wall_ns and work_units
  std::optional<double> (*from_run)(const RunResult&) = nullptr;  // null: not from the harness

  [[nodiscard]] std::optional<double> get(const Row& r) const;
  [[nodiscard]] std::string cell(const Row& r) const;
  // Throws CsvError naming `where` (file and line) when the cell is not a number of its kind.
  void parse(Row& r, const std::string& cell, const std::string& where) const;
  void set_from(Row& r, const RunResult& run) const;
};

// In the rows CSV's order: wall_ns ... work_units.
std::span<const Column> measured_columns();
// nullptr when no measured column has that name.
const Column* find_column(std::string_view name);

}  // namespace parbench
