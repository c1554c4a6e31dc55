#include "columns.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>

#include "counters.hpp"
#include "csv_reader.hpp"
#include "csv_writer.hpp"

namespace parbench {
namespace {

using A = Column::Aggregate;
using P = Column::Place;
constexpr auto kLower = Direction::LowerIsBetter;

template <class T>
std::optional<double> as_double(const std::optional<T>& v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}
std::optional<double> as_double(std::int64_t v) { return static_cast<double>(v); }

// wall_ns, the columns of column_list.hpp, work_units: the rows CSV's order. A function's static,
// not a namespace's: other files' statics (the rows CSV's header) are built from it, and the order
// in which files' statics are initialized is unspecified.
std::span<const Column> table() {
#define PARBENCH_COLUMN(name, type, unit, better, aggregate, place, added_later, source) \
  Column{#name,                                                                          \
         unit,                                                                           \
         Direction::better,                                                              \
         A::aggregate,                                                                   \
         P::place,                                                                       \
         added_later,                                                                    \
         &Row::name,                                                                     \
         &SummaryRow::name,                                                              \
         [](const RunResult& run) -> std::optional<double> { return as_double(source); }},
  static const Column kColumns[] = {
      Column{"wall_ns", "ns", kLower, A::WallStats, P::Wall, false, &Row::wall_ns, nullptr,
             [](const RunResult& run) -> std::optional<double> { return as_double(run.wall_ns); }},
      PARBENCH_MEASURED_COLUMNS(PARBENCH_COLUMN)
          Column{"work_units", "the workload's unit", Direction::HigherIsBetter, A::Last, P::Work,
                 false, &Row::work_units, nullptr, nullptr},
  };
#undef PARBENCH_COLUMN
  return kColumns;
}

}  // namespace

std::optional<double> Column::get(const Row& r) const {
  if (const auto* f = std::get_if<IntField>(&field)) return as_double(r.**f);
  return r.*std::get<RealField>(field);
}

std::string Column::cell(const Row& r) const {
  if (const auto* f = std::get_if<IntField>(&field)) return format_optional(r.**f);
  return format_optional(r.*std::get<RealField>(field));
}

void Column::parse(Row& r, const std::string& cell, const std::string& where) const {
  const auto bad = [&] {
    return CsvError(
        fmt::format("{}: column {}: '{}' is not allowed; expected a number", where, name, cell));
  };
  const auto read = [&]<class T>(std::optional<T>& out) {
    out.reset();
    if (cell.empty()) return;
    T value{};
    const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (ec != std::errc() || ptr != cell.data() + cell.size()) throw bad();
    out = value;
  };
  if (const auto* f = std::get_if<IntField>(&field)) {
    read(r.**f);
  } else {
    read(r.*std::get<RealField>(field));
  }
}

void Column::set_from(Row& r, const RunResult& run) const {
  if (from_run == nullptr) return;
  const std::optional<double> v = from_run(run);
  if (const auto* f = std::get_if<IntField>(&field)) {
    r.** f = v ? std::optional<std::int64_t>(std::llround(*v)) : std::nullopt;
  } else {
    r.*std::get<RealField>(field) = v;
  }
}

std::span<const Column> measured_columns() { return table(); }

const Column* find_column(std::string_view name) {
  for (const Column& c : table()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace parbench
