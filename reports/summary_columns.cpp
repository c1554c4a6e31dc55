#include "summary_columns.hpp"

#include <fmt/core.h>

#include <algorithm>
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

using Cases = std::vector<const SummaryRow*>;

bool any_case(const Cases& cases, bool (*has)(const SummaryRow&)) {
  return std::any_of(cases.begin(), cases.end(), [has](const SummaryRow* r) { return has(*r); });
}

// `c`, shown in the per-workload tables as `view` says.
SummaryColumn in_tables(SummaryColumn c, TableView view) {
  c.table = std::move(view);
  return c;
}

// The columns that name the case.
void add_case_columns(std::vector<SummaryColumn>& t) {
  t.insert(
      t.end(),
      {
          text("workload", Part::Key, [](const SummaryRow& s) { return s.workload; }),
          in_tables(text("backend", Part::Key, [](const SummaryRow& s) { return s.backend; }),
                    {"backend", 10, true, nullptr, [](const SummaryRow& s) { return s.backend; }}),
          in_tables({"workers", "count", std::nullopt, Part::Key,
                     [](const SummaryRow& s) { return std::to_string(s.workers); },
                     [](const SummaryRow& s) -> std::optional<double> { return s.workers; }},
                    {"workers", 20, true, nullptr,
                     [](const SummaryRow& s) { return std::to_string(s.workers); }}),
          // pin when some case is pinned; host when the cases ran on more than one (an mpi run
          // across machines, a merged report).
          in_tables(text("pin", Part::Key, [](const SummaryRow& s) { return s.pin; }),
                    {"pin", 40, true,
                     [](const Cases& c, const TableColumns&) {
                       return any_case(c, [](const SummaryRow& r) { return r.pin != "none"; });
                     },
                     [](const SummaryRow& s) { return s.pin; }}),
          in_tables(text("host", Part::Key, [](const SummaryRow& s) { return s.host; }),
                    {"host", 30, true,
                     [](const Cases& c, const TableColumns&) {
                       return std::any_of(c.begin(), c.end(), [&](const SummaryRow* r) {
                         return r->host != c.front()->host;
                       });
                     },
                     [](const SummaryRow& s) { return s.host; }}),
      });
}

// How the repetitions went and their wall times.
void add_repetition_columns(std::vector<SummaryColumn>& t) {
  t.insert(
      t.end(),
      {
          in_tables({"reps", "count", std::nullopt, Part::Figures,
                     [](const SummaryRow& s) { return std::to_string(s.reps); },
                     [](const SummaryRow& s) -> std::optional<double> {
                       return static_cast<double>(s.reps);
                     }},
                    {"reps", 50, false, nullptr,
                     [](const SummaryRow& s) { return std::to_string(s.reps); }}),
          {"errors", "count", kLower, Part::Figures,
           [](const SummaryRow& s) { return std::to_string(s.errors); },
           [](const SummaryRow& s) -> std::optional<double> {
             return static_cast<double>(s.errors);
           }},
          in_tables(text("status", Part::Figures, [](const SummaryRow& s) { return s.status(); }),
                    {"status", 130, false, nullptr, &status_cell}),
          text("error", Part::Figures, [](const SummaryRow& s) { return s.error; }),
          in_tables(wall("median_wall_ns", &Summary::median),
                    {"median", 60, false, nullptr,
                     [](const SummaryRow& s) {
                       return s.wall_ns ? format_duration(s.wall_ns->median) : "-";
                     }}),
          wall("min_wall_ns", &Summary::min),
          wall("max_wall_ns", &Summary::max),
          wall("mean_wall_ns", &Summary::mean),
          wall("stddev_wall_ns", &Summary::stddev),
          in_tables(figure("cv", "ratio", kLower, [](const SummaryRow& s) { return s.cv(); }),
                    {"cv", 80, false, nullptr, &cv_cell}),
          wall("p95_wall_ns", &Summary::p95),
          // The interval in one cell, where asked for (the report).
          in_tables(ci95("ci95_lo_wall_ns", &Interval::lo),
                    {"95% CI of median", 70, false,
                     [](const Cases&, const TableColumns& extra) { return extra.ci; }, &ci_cell}),
          ci95("ci95_hi_wall_ns", &Interval::hi),
      });
}

// The rates, the speedup and the machine limit.
void add_rate_columns(std::vector<SummaryColumn>& t) {
  t.push_back(figure("work_units", "the workload's unit", std::nullopt,
                     [](const SummaryRow& s) { return s.work_units; }));
  t.push_back(in_tables(
      figure("work_per_s", "per s", kHigher, [](const SummaryRow& s) { return s.work_per_s; }),
      {"work/s", 90, false,
       [](const Cases& c, const TableColumns& extra) {
         return extra.work_rate &&
                any_case(c, [](const SummaryRow& r) { return r.work_per_s.has_value(); });
       },
       [](const SummaryRow& s) { return s.work_per_s ? format_rate(*s.work_per_s) : "-"; }}));
  // speedup and efficiency where some case has a speedup.
  const auto speedup_shown = [](const Cases& c, const TableColumns&) {
    return any_case(c, [](const SummaryRow& r) { return r.speedup.has_value(); });
  };
  t.push_back(
      in_tables(figure("speedup", "x", kHigher, [](const SummaryRow& s) { return s.speedup; }),
                {"speedup", 100, false, speedup_shown,
                 [](const SummaryRow& s) { return ratio_cell(s.speedup, "x"); }}));
  t.push_back(in_tables(
      figure("efficiency", "ratio", kHigher, [](const SummaryRow& s) { return s.efficiency; }),
      {"efficiency", 110, false, speedup_shown, [](const SummaryRow& s) {
         return s.efficiency ? fmt::format("{:.0f}%", *s.efficiency * 100) : "-";
       }}));
  t.push_back(text("limit_name", Part::Figures, [](const SummaryRow& s) { return s.limit_name; }));
  t.push_back(
      figure("limit", "limit_name's", std::nullopt, [](const SummaryRow& s) { return s.limit; }));
  t.push_back(in_tables(
      figure("of_limit", "ratio", kHigher, [](const SummaryRow& s) { return s.of_limit; }),
      {"of machine limit", 120, false,
       [](const Cases& c, const TableColumns&) {
         return any_case(c, [](const SummaryRow& r) { return r.of_limit.has_value(); });
       },
       &limit_cell}));
}

std::vector<SummaryColumn> build() {
  std::vector<SummaryColumn> t;
  add_case_columns(t);
  add_repetition_columns(t);
  add_measured(t, Column::Place::Main);
  t.push_back(figure("ipc", "ratio", kHigher, [](const SummaryRow& s) { return s.ipc; }));
  t.push_back(figure("on_cpu", "ratio", kHigher, [](const SummaryRow& s) { return s.on_cpu; }));
  t.push_back(text("noisy", Part::Figures, [](const SummaryRow& s) { return s.noisy; }));
  add_measured(t, Column::Place::Timing);
  add_rate_columns(t);
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
