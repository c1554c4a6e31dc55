#pragma once
// Comparing two reports, case by case, on the raw repetitions: `parbench compare` and `parbench
// ab`.
//
// A case (workload, backend, workers, pin, every parameter not ignored, and the host when either
// report holds several hosts, as a merged one does) that both reports ran
// is compared per metric. It has regressed only when both hold:
//   - a two-sided Mann-Whitney U test on the repetitions is significant (p < alpha), and
//   - the median moved in the worse direction by more than the metric's minimum effect.
// The same with the better direction is an improvement. Significance alone flags identical runs on
// a noisy machine; a threshold alone flags noise; together they flag a real slowdown.
// A case that ran in the base but failed in the new report is a regression too. When every
// repetition on each side gave the same value (instruction counts from `parbench count`), the
// difference is exact and only the minimum effect applies.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "columns.hpp"
#include "row.hpp"

namespace parbench {

// What a metric's direction is, when the workload declares it; nullopt to guess from the name.
using DirectionLookup =
    std::function<std::optional<Direction>(const std::string& workload, const std::string& metric)>;

struct CompareOptions {
  double alpha = 0.01;
  double min_effect = 0.05;  // relative change of the median, 0.05 = 5%
  // Per metric. callgrind's instruction counts repeat exactly, so their default threshold is 0.5%.
  std::map<std::string, double> min_effect_for = {{"callgrind_ir", 0.005}};
  // Metrics to compare: metric columns, work_per_s, wall_ns, cpu_ns, or a profile column
  // (instructions, cycles, cache_misses, minor_faults, ...). Empty: `callgrind_ir` in a
  // `parbench count` report, else work_per_s (work
  // units per second of wall time) where the rows have work units, else every metric. "all":
  // work_per_s, wall_ns, cpu_ns and every metric column.
  std::vector<std::string> metrics;
  std::vector<std::string> ignore_params;  // left out of the case key (e.g. an injected slowdown)
  DirectionLookup direction;
};

enum class Verdict { Unchanged, Regressed, Improved, Failed };
std::string_view verdict_name(Verdict v);

struct MetricComparison {
  std::string case_key;  // "workload backend w=N pin params..."
  std::string workload, backend;
  int workers = 1;
  std::string params;  // "k=v k=v"
  std::string metric;
  Direction direction = Direction::LowerIsBetter;
  std::size_t base_n = 0, new_n = 0;
  double base_median = 0, new_median = 0;
  double change = 0;  // new / base - 1
  double p = 1;
  double min_effect = 0;
  Verdict verdict = Verdict::Unchanged;
  std::string note;  // why a case failed, or a warning about it
};

struct Comparison {
  std::vector<MetricComparison> items;
  std::vector<std::string> warnings;
  std::size_t only_in_base = 0, only_in_new = 0;
  CompareOptions options;

  [[nodiscard]] std::size_t count(Verdict v) const;
  [[nodiscard]] bool regressed() const {
    return count(Verdict::Regressed) + count(Verdict::Failed) > 0;
  }
};

// Throws BadInput-like std::invalid_argument when the reports share no case.
Comparison compare_rows(const std::vector<Row>& base, const std::vector<Row>& candidate,
                        const CompareOptions& options);

std::string format_comparison_text(const Comparison& c);
std::string format_comparison_markdown(const Comparison& c);
std::string format_comparison_json(const Comparison& c);

// Reads a report to compare: a parbench rows CSV (PREFIX.csv, or PREFIX), or Google Benchmark's
// JSON output (--benchmark_format=json, with --benchmark_repetitions), whose iteration runs become
// rows of workload "micro" with the benchmark's name as parameter `benchmark` and metrics
// real_time_ns and cpu_time_ns. Throws CsvError (with the file and line) for a malformed file.
std::vector<Row> read_report(const std::string& path_or_prefix);

}  // namespace parbench
