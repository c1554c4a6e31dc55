#include "summary_columns.hpp"

#include <fmt/core.h>

#include <cmath>
#include <deque>
#include <vector>

#include "csv_writer.hpp"
#include "speedup_stack.hpp"

namespace parbench {
namespace {

using Part = SummaryColumn::Part;
using Value = std::function<std::optional<double>(const SummaryRow&)>;
constexpr auto kLower = Direction::LowerIsBetter;
constexpr auto kHigher = Direction::HigherIsBetter;

SummaryColumn text(std::string_view name, Part part, std::string (*get)(const SummaryRow&)) {
  return {name, "", std::nullopt, part, get, nullptr};
}

// A number written as format_optional writes it: empty when the summary has none.
SummaryColumn figure(std::string_view name, std::string_view unit, std::optional<Direction> better,
                     const Value& get) {
  return {name,
          unit,
          better,
          Part::Figures,
          [get](const SummaryRow& s) { return format_optional(get(s)); },
          get};
}

// One statistic of the repetitions' wall times, rounded to whole nanoseconds.
SummaryColumn wall(std::string_view name, double Summary::*field) {
  Value get = [field](const SummaryRow& s) -> std::optional<double> {
    if (!s.wall_ns) return std::nullopt;
    return (*s.wall_ns).*field;
  };
  return {name,
          "ns",
          kLower,
          Part::Figures,
          [get](const SummaryRow& s) {
            const auto v = get(s);
            return v ? format_number(std::round(*v)) : std::string();
          },
          get};
}

SummaryColumn ci95(std::string_view name, double Interval::*end) {
  return figure(name, "ns", kLower, [end](const SummaryRow& s) -> std::optional<double> {
    if (!s.wall_ns || !s.wall_ns->ci95) return std::nullopt;
    return (*s.wall_ns->ci95).*end;
  });
}

// The medians of the measured columns that go at `place` (columns.hpp), as "median_<name>".
void add_measured(std::vector<SummaryColumn>& out, Column::Place place) {
  static std::deque<std::string> names;  // the table's string_views point into these
  for (const Column& c : measured_columns()) {
    if (c.place != place || c.summary == nullptr) continue;
    const auto field = c.summary;
    out.push_back(figure(names.emplace_back(fmt::format("median_{}", c.name)), c.unit, c.better,
                         [field](const SummaryRow& s) { return s.*field; }));
  }
}

// The speedup stack's components (speedup_stack.hpp), in speedup units, and why one is missing.
void add_stack(std::vector<SummaryColumn>& out) {
  const auto parts = stack_parts(SpeedupStack{});
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out.push_back(
        figure(parts[i].column, "x", kLower, [i](const SummaryRow& s) -> std::optional<double> {
          if (!s.stack) return std::nullopt;
          return stack_parts(*s.stack)[i].value;
        }));
  }
  out.push_back(
      text("stack_note", Part::Figures, [](const SummaryRow& s) { return s.stack_note; }));
}

std::vector<SummaryColumn> build() {
  std::vector<SummaryColumn> t = {
      text("workload", Part::Key, [](const SummaryRow& s) { return s.workload; }),
      text("backend", Part::Key, [](const SummaryRow& s) { return s.backend; }),
      {"workers", "count", std::nullopt, Part::Key,
       [](const SummaryRow& s) { return std::to_string(s.workers); },
       [](const SummaryRow& s) -> std::optional<double> { return s.workers; }},
      text("pin", Part::Key, [](const SummaryRow& s) { return s.pin; }),
      text("host", Part::Key, [](const SummaryRow& s) { return s.host; }),
      {"reps", "count", std::nullopt, Part::Figures,
       [](const SummaryRow& s) { return std::to_string(s.reps); },
       [](const SummaryRow& s) -> std::optional<double> { return static_cast<double>(s.reps); }},
      {"errors", "count", kLower, Part::Figures,
       [](const SummaryRow& s) { return std::to_string(s.errors); },
       [](const SummaryRow& s) -> std::optional<double> { return static_cast<double>(s.errors); }},
      text("status", Part::Figures, [](const SummaryRow& s) { return s.status(); }),
      text("error", Part::Figures, [](const SummaryRow& s) { return s.error; }),
      wall("median_wall_ns", &Summary::median),
      wall("min_wall_ns", &Summary::min),
      wall("max_wall_ns", &Summary::max),
      wall("mean_wall_ns", &Summary::mean),
      wall("stddev_wall_ns", &Summary::stddev),
      figure("cv", "ratio", kLower, [](const SummaryRow& s) { return s.cv(); }),
      wall("p95_wall_ns", &Summary::p95),
      ci95("ci95_lo_wall_ns", &Interval::lo),
      ci95("ci95_hi_wall_ns", &Interval::hi),
  };
  add_measured(t, Column::Place::Main);
  t.push_back(figure("ipc", "ratio", kHigher, [](const SummaryRow& s) { return s.ipc; }));
  t.push_back(figure("on_cpu", "ratio", kHigher, [](const SummaryRow& s) { return s.on_cpu; }));
  t.push_back(text("noisy", Part::Figures, [](const SummaryRow& s) { return s.noisy; }));
  add_measured(t, Column::Place::Timing);
  t.push_back(figure("work_units", "the workload's unit", std::nullopt,
                     [](const SummaryRow& s) { return s.work_units; }));
  t.push_back(
      figure("work_per_s", "per s", kHigher, [](const SummaryRow& s) { return s.work_per_s; }));
  t.push_back(figure("speedup", "x", kHigher, [](const SummaryRow& s) { return s.speedup; }));
  t.push_back(
      figure("efficiency", "ratio", kHigher, [](const SummaryRow& s) { return s.efficiency; }));
  t.push_back(text("limit_name", Part::Figures, [](const SummaryRow& s) { return s.limit_name; }));
  t.push_back(
      figure("limit", "limit_name's", std::nullopt, [](const SummaryRow& s) { return s.limit; }));
  t.push_back(figure("of_limit", "ratio", kHigher, [](const SummaryRow& s) { return s.of_limit; }));
  add_stack(t);
  return t;
}

}  // namespace

std::span<const SummaryColumn> summary_columns() {
  static const std::vector<SummaryColumn> table = build();
  return table;
}

const SummaryColumn* find_summary_column(std::string_view name) {
  for (const SummaryColumn& c : summary_columns()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace parbench
