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
// Between separate runs the threshold is wider where the history shows the case moving from run to
// run: with `between_runs` (compare --history), a case's minimum effect is the larger of the
// metric's and `noise_sigmas` standard deviations of the difference of two runs (run_noise.hpp),
// and a case whose history flips between two levels is judged against its levels: `unstable`
// within them, regressed past the worse one by more than its band.
// Repetitions the machine ran at under 90% of the capacity the case saw elsewhere (the
// machine_capacity probe before each repetition: a vCPU at half speed) are set aside, and a
// change that came with the machine's capacity moving the same way, and that the capacity
// explains, is `disturbed`: reported, not judged; when more than options.max_excluded of the
// items are, the comparison is inconclusive (exit 4).
// A case that ran in the base but failed in the new report is a regression too. When every
// repetition on each side gave the same value (instruction counts from `parbench count`), the
// difference is exact and only the minimum effect applies.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "columns.hpp"
#include "named_registry.hpp"
#include "row.hpp"
#include "run_noise.hpp"

namespace parbench {

// What a metric's direction is, when the workload declares it; nullopt to guess from the name.
using DirectionLookup =
    std::function<std::optional<Direction>(const std::string& workload, const std::string& metric)>;

// The fastest repetition's work rate, a run-level figure: compared on the minimum effect alone.
inline constexpr const char* kBestWorkPerS = "best_work_per_s";

// How far the machine_capacity probe must move (new / base) for a change that went the same way to
// be blamed on the machine: the probe's own spread here is 1-3%.
inline constexpr double kCapacityTolerance = 0.05;

// A metric that moved by `ratio` (new / base) while the machine gave the case `capacity` (new /
// base) of its capacity: the change as it would read at equal capacity (a rate scales with the
// capacity, a time with its inverse), when the capacity moved by more than kCapacityTolerance the
// way the change went (less capacity with a worse figure, more with a better one); else nullopt.
std::optional<double> change_at_equal_capacity(double ratio, Direction direction, double capacity);

// How much more than in proportion throughput-bound code may slow down when the probe's
// throughput-bound loop does (machine_throughput): the loop and the code share the core's units
// in different mixes. In the one run-wide episode measured here (cpu_sum at 2 workers at 0.72x
// of its rate for 26 separate runs while the loop read 0.86x and the dependent chain 1.00x) the
// code lost 2.2 times as much as the loop, in log terms.
inline constexpr double kThroughputElasticity = 2.5;

// change_at_equal_capacity for one of the machine probe's measures by name: machine_capacity in
// proportion; machine_throughput at any elasticity from 1 to kThroughputElasticity (but never
// more than twice the proportional change), the residual nearest zero (0 when a change lies
// within that range).
std::optional<double> change_at_equal_machine(const std::string& measure, double ratio,
                                              Direction direction, double probe);

// How a machine probe's measure reads in a verdict's note, e.g. "1.00x of capacity against 1.98x
// in the base (machine_capacity)" or "0.251 op/ns of throughput against 0.502 before
// (machine_throughput)"; `then` names the other side ("in the base", "before").
std::string machine_figures(const std::string& measure, double now, double then_value,
                            const std::string& then);

struct MetricComparison;
// The between-run spread of one case's metric, from a history; nullopt when it holds too few runs.
using NoiseLookup = std::function<std::optional<RunNoise>(const MetricComparison&)>;

struct CompareOptions {
  double alpha = 0.01;
  double min_effect = 0.05;  // relative change of the median, 0.05 = 5%
  // Per metric. callgrind's instruction counts repeat exactly, so their default threshold is 0.5%.
  std::map<std::string, double> min_effect_for = {{"callgrind_ir", 0.005}};
  // Metrics to compare: metric columns, work_per_s, best_work_per_s, wall_ns, cpu_ns, or a profile
  // column
  // (instructions, cycles, cache_misses, minor_faults, ...). Empty: `callgrind_ir` in a
  // `parbench count` report, else work_per_s (work
  // units per second of wall time; with between_runs, the steadier of it and best_work_per_s in
  // the case's history) where the rows have work units, else every metric. "all":
  // work_per_s, wall_ns, cpu_ns and every metric column.
  std::vector<std::string> metrics;
  std::vector<std::string> ignore_params;  // left out of the case key (e.g. an injected slowdown)
  DirectionLookup direction;
  NoiseLookup between_runs;  // empty: judge on the repetitions alone
  // 4 standard deviations of the difference of two runs: a false alarm once in ~30,000 judgements
  // if the spread were normal; the measured one has heavier tails (docs/regression.md).
  double noise_sigmas = 4;
  // The share of the compared items a gate may leave unjudged (disturbed) and still pass: past it
  // the comparison is inconclusive (exit 4), not clean.
  double max_excluded = 0.25;
};

enum class Verdict { Unchanged, Regressed, Improved, Failed, Unstable, Disturbed };
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
  double min_effect = 0;  // the threshold applied: the metric's, or wider from the history
  std::optional<RunNoise> between_runs;
  Verdict verdict = Verdict::Unchanged;
  std::string note;  // why a case failed, or a warning about it
};

struct Comparison {
  std::vector<MetricComparison> items;
  std::vector<std::string> warnings;
  std::size_t only_in_base = 0, only_in_new = 0;
  CompareOptions options;
  std::string method = "Mann-Whitney U";  // the test behind p
  // What differs between the two reports' machines when they are compared anyway
  // (--allow-other-machine); every format marks its output with it.
  std::vector<std::string> other_machine;

  [[nodiscard]] std::size_t count(Verdict v) const;
  // Regressions and failures gate; an unstable or disturbed case does not, whatever it measured.
  [[nodiscard]] bool regressed() const {
    return count(Verdict::Regressed) + count(Verdict::Failed) > 0;
  }
  // Items reported but not judged: disturbed (the machine changed under them). An unstable item
  // was judged, against the band of its levels.
  [[nodiscard]] std::size_t excluded() const { return count(Verdict::Disturbed); }
  // Nothing regressed, but more than options.max_excluded of the items were not judged: the gate
  // could not tell, and says so rather than pass.
  [[nodiscard]] bool inconclusive() const {
    return !regressed() && excluded() > 0 &&
           static_cast<double>(excluded()) >
               options.max_excluded * static_cast<double>(items.size());
  }
  // What a gate exits with: 1 regressed or failed, 4 inconclusive, else 0.
  [[nodiscard]] int exit_status() const { return regressed() ? 1 : inconclusive() ? 4 : 0; }
};

// Throws BadInput-like std::invalid_argument when the reports share no case.
Comparison compare_rows(const std::vector<Row>& base, const std::vector<Row>& candidate,
                        const CompareOptions& options);

// `parbench ab`: the rounds of an interleaved run (round i of each side ran back to back), each
// round's candidate against the same round's baseline. Per case and metric, d_i = log(new_i /
// base_i) of the round's medians (fastest repetitions for best_work_per_s); the change is
// exp(mean d) - 1, and its significance a paired t-test on the d_i (two-sided; with one round
// there is none, and the threshold alone judges). A drift across the session moves both sides of
// a round alike and cancels, instead of widening the spread as pooled repetitions do; and rounds,
// not repetitions, are the independent samples, so p is not made small by repetitions that share
// a round's machine. Throws like compare_rows when the rounds share no case.
Comparison compare_paired(const std::vector<std::vector<Row>>& base_rounds,
                          const std::vector<std::vector<Row>>& new_rounds,
                          const CompareOptions& options);

// The formats of a comparison (--format), each one function: text for a terminal, md for a pull
// request comment, json for tools. Each marks a comparison across machines itself.
std::string format_comparison_text(const Comparison& c);
std::string format_comparison_markdown(const Comparison& c);
std::string format_comparison_json(const Comparison& c);
using ComparisonFormat = NamedFunction<std::string(const Comparison&)>;
const NamedRegistry<ComparisonFormat>& comparison_formats();

// The value of `metric` in one repetition: a workload's metric, a measured column (columns.hpp),
// or one derived from them (work_per_s: work units per second of wall time; cpu_ns: user + system).
std::optional<double> metric_value(const Row& r, const std::string& metric);

// Reads a report to compare: a parbench rows CSV (PREFIX.csv, or PREFIX), or Google Benchmark's
// JSON output (--benchmark_format=json, with --benchmark_repetitions), whose iteration runs become
// rows of workload "micro" with the benchmark's name as parameter `benchmark` and metrics
// real_time_ns and cpu_time_ns. Throws CsvError (with the file and line) for a malformed file.
std::vector<Row> read_report(const std::string& path_or_prefix);

}  // namespace parbench
