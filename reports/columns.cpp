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

template <std::size_t I>
std::optional<double> counter(const RunResult& r) {
  return as_double(r.counters[I]);
}

// clang-format off
// A function's static, not a namespace's: other files' statics (the rows CSV's header) are built
// from it, and the order in which files' statics are initialized is unspecified.
std::span<const Column> table() {
  static const Column kColumns[] = {
  {"wall_ns", "ns", kLower, A::WallStats, P::Wall, false, &Row::wall_ns, nullptr,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.wall_ns); }},
  {"cpu_user_ns", "ns", kLower, A::Median, P::Main, false, &Row::cpu_user_ns, &SummaryRow::cpu_user_ns,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.cpu_user_ns); }},
  {"cpu_sys_ns", "ns", kLower, A::Median, P::Main, false, &Row::cpu_sys_ns, &SummaryRow::cpu_sys_ns,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.cpu_sys_ns); }},
  {"vol_ctx_switches", "count", kLower, A::Median, P::Main, false, &Row::vol_ctx_switches, &SummaryRow::vol_ctx_switches,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.vol_ctx_switches); }},
  {"invol_ctx_switches", "count", kLower, A::Median, P::Main, false, &Row::invol_ctx_switches, &SummaryRow::invol_ctx_switches,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.invol_ctx_switches); }},
  {"minor_faults", "count", kLower, A::MedianOfAll, P::Main, true, &Row::minor_faults, &SummaryRow::minor_faults,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.minor_faults); }},
  {"major_faults", "count", kLower, A::MedianOfAll, P::Main, true, &Row::major_faults, &SummaryRow::major_faults,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.major_faults); }},
  {"cpu_migrations", "count", kLower, A::MedianOfAll, P::Main, true, &Row::cpu_migrations, &SummaryRow::cpu_migrations,
   counter<kCpuMigrations>},
  {"max_rss_kb", "KiB", kLower, A::MedianOfAll, P::Main, true, &Row::max_rss_kb, &SummaryRow::max_rss_kb,
   [](const RunResult& r) { return as_double(r.max_rss_kb); }},
  {"steal_pct", "%", kLower, A::MedianOfAll, P::Main, true, &Row::steal_pct, &SummaryRow::steal_pct,
   [](const RunResult& r) { return r.steal_pct; }},
  {"other_load_pct", "%", kLower, A::MedianOfAll, P::Main, true, &Row::other_load_pct, &SummaryRow::other_load_pct,
   [](const RunResult& r) { return r.other_load_pct; }},
  {"cycles", "count", kLower, A::MedianOfAll, P::Main, true, &Row::cycles, &SummaryRow::cycles,
   counter<kCycles>},
  {"instructions", "count", kLower, A::MedianOfAll, P::Main, true, &Row::instructions, &SummaryRow::instructions,
   counter<kInstructions>},
  {"cache_misses", "count", kLower, A::MedianOfAll, P::Main, true, &Row::cache_misses, &SummaryRow::cache_misses,
   counter<kCacheMisses>},
  {"branch_misses", "count", kLower, A::MedianOfAll, P::Main, true, &Row::branch_misses, &SummaryRow::branch_misses,
   counter<kBranchMisses>},
  {"startup_ns", "ns", kLower, A::Median, P::Timing, false, &Row::startup_ns, &SummaryRow::startup_ns,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.startup_ns); }},
  {"start_skew_ns", "ns", kLower, A::Median, P::Timing, false, &Row::start_skew_ns, &SummaryRow::start_skew_ns,
   [](const RunResult& r) -> std::optional<double> { return static_cast<double>(r.start_skew_ns); }},
  {"work_units", "the workload's unit", Direction::HigherIsBetter, A::Last, P::Work, false, &Row::work_units, nullptr,
   nullptr},
  };
  return kColumns;
}
// clang-format on

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
