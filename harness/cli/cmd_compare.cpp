// parbench compare BASE NEW: did anything get slower? And parbench ab: run a baseline and a
// candidate alternately in one session (A B B A A B ...) so the machine's drift hits both alike,
// then compare them the same way. Exit status: 0 nothing regressed, 1 something did, 2 bad input.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <map>
#include <memory>

#include "bad_input.hpp"
#include "commands.hpp"
#include "compare.hpp"
#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "history.hpp"
#include "interrupt.hpp"
#include "plan.hpp"
#include "registry.hpp"
#include "report_files.hpp"
#include "report_meta.hpp"
#include "rows_csv.hpp"
#include "subprocess.hpp"
#include "sys_error.hpp"
#include "text_utils.hpp"
#include "unique_list.hpp"

namespace parbench::cli {
namespace {

struct CompareArgs {
  double alpha = 0.01;
  std::vector<std::string> min_effects;  // "5%", "0.05", "metric=10%"
  std::vector<std::string> metrics;
  std::vector<std::string> ignore_params;
  std::string format = "text";
  bool allow_other_machine = false;
  std::string max_excluded = "25%";
};

double parse_fraction(const std::string& text, const std::string& what) {
  std::string s = text;
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    throw BadInput(fmt::format("{}: '{}' is not a number; expected e.g. 5% or 0.05", what, text));
  }
  if (percent) v /= 100;
  if (!(v >= 0 && v < 10))
    throw BadInput(fmt::format("{}: '{}' is out of range; expected 0% to 1000%", what, text));
  return v;
}

// A workload metric's direction from this build's declaration: for reports whose meta.json
// predates the recorded schema, or that have none (a hand-made CSV).
std::optional<Direction> workload_direction(const std::string& workload,
                                            const std::string& metric) {
  const Workload* w = find_workload(workload);
  if (w == nullptr) return std::nullopt;
  for (const auto& m : w->metrics()) {
    if (m.name == metric) {
      return m.better == MetricSpec::Better::Lower ? Direction::LowerIsBetter
                                                   : Direction::HigherIsBetter;
    }
  }
  return std::nullopt;
}

CompareOptions to_options(const CompareArgs& a) {
  CompareOptions o;
  if (!(a.alpha > 0 && a.alpha < 1)) {
    throw BadInput(fmt::format(
        "--alpha: {} is out of range; expected a significance level between 0 and 1", a.alpha));
  }
  o.alpha = a.alpha;
  for (const auto& e : a.min_effects) {
    const auto eq = e.find('=');
    if (eq == std::string::npos) {
      o.min_effect = parse_fraction(e, "--min-effect");
    } else {
      o.min_effect_for[e.substr(0, eq)] =
          parse_fraction(e.substr(eq + 1), "--min-effect " + e.substr(0, eq));
    }
  }
  for (const auto& m : a.metrics) {
    for (auto& item : split_list(m, "--metric")) o.metrics.push_back(item);
  }
  for (const auto& p : a.ignore_params) {
    for (auto& item : split_list(p, "--ignore-param")) o.ignore_params.push_back(item);
  }
  if (comparison_formats().find(a.format) == nullptr) {
    throw BadInput(fmt::format("--format: '{}' is not a format; expected {}", a.format,
                               comparison_formats().choices()));
  }
  o.max_excluded = parse_fraction(a.max_excluded, "--max-excluded");
  if (o.max_excluded > 1) {
    throw BadInput(
        fmt::format("--max-excluded: '{}' is out of range; expected 0% to 100%", a.max_excluded));
  }
  o.direction = workload_direction;
  return o;
}

// Directions as the reports declared them (their meta.json), else as this build declares them.
void use_recorded_directions(CompareOptions& o, const std::vector<std::string>& reports) {
  std::map<std::string, Direction> recorded;
  for (const auto& path : reports) {
    if (path.ends_with(".json")) continue;  // Google Benchmark's output: no meta.json
    const auto dirs = metric_directions(read_meta(report_prefix(path), "compare"));
    recorded.insert(dirs.begin(), dirs.end());
  }
  o.direction = [recorded](const std::string& workload,
                           const std::string& metric) -> std::optional<Direction> {
    if (const auto it = recorded.find(metric); it != recorded.end()) return it->second;
    return workload_direction(workload, metric);
  };
}

std::vector<Row> load(const std::string& path) {
  try {
    return read_report(path);
  } catch (const CsvError& e) {
    throw BadInput(e.what());
  }
}

// The machines of two reports (their meta.json) must match where figures depend on them; a
// difference is bad input unless --allow-other-machine, and then every line of the output says so.
// Returns the differences allowed (none: empty).
std::vector<std::string> check_machines(const std::string& base, const std::string& candidate,
                                        const CompareArgs& a, std::string_view command) {
  if (base.ends_with(".json") || candidate.ends_with(".json")) return {};  // Google Benchmark's
  auto diffs = machine_differences(read_meta(report_prefix(base), command).machine,
                                   read_meta(report_prefix(candidate), command).machine);
  if (diffs.empty() || a.allow_other_machine) return diffs;
  throw BadInput(fmt::format(
      "{}: the reports were measured on different machines ({}); their figures are not "
      "comparable. Compare runs of one machine, run both sides in one session with parbench ab, "
      "or pass --allow-other-machine to compare anyway",
      command, fmt::join(diffs, "; ")));
}

// The comparison in its format; a comparison across machines (`other_machine`, what differs) is
// marked by the format itself. Returns the gate's exit status.
int report(Comparison c, const std::string& format, std::vector<std::string> other_machine) {
  c.other_machine = std::move(other_machine);
  fmt::print("{}", (*comparison_formats().find(format))(c));
  return c.exit_status();
}

void add_compare_options(CLI::App* cmd, CompareArgs& a) {
  cmd->add_option("--alpha", a.alpha,
                  "Significance level of the Mann-Whitney U test (default 0.01)");
  cmd->add_option(
         "--min-effect", a.min_effects,
         "Smallest change of the median that counts, e.g. 5% (default) or METRIC=10% (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--metric", a.metrics,
                  "Metrics to compare, comma-separated: work_per_s (default; with --history the "
                  "steadier of it and best_work_per_s, the fastest repetition's), "
                  "best_work_per_s, wall_ns, cpu_ns, any "
                  "metric column, a profile column (instructions, cycles, cache_misses, "
                  "minor_faults, ...), or all")
      ->allow_extra_args(false);
  cmd->add_option(
         "--ignore-param", a.ignore_params,
         "Parameters left out when matching cases, comma-separated (e.g. an injected slowdown)")
      ->allow_extra_args(false);
  cmd->add_option("--format", a.format,
                  "Output: text (default), md (a pull-request comment), json");
  cmd->add_option("--max-excluded", a.max_excluded,
                  "The share of comparisons that may be left unjudged (disturbed) for "
                  "the gate to pass; past it the result is inconclusive, exit 4 (default 25%)");
  cmd->add_flag("--allow-other-machine", a.allow_other_machine,
                "Compare reports whose CPU model, CPU count, kernel or build differ (refused "
                "otherwise); every output line then says so");
}

// ---- between-run noise from a history ----

struct NoiseArgs {
  std::string db;
  double sigmas = 4;
  int runs = 30;
};

// The lookup of each case's between-run spread in the history at `a.db`: the newest `a.runs` runs
// of the base report's machine, without the new report's own run if it was added already.
NoiseLookup history_noise(const NoiseArgs& a, const std::string& base, const std::string& candidate,
                          const std::vector<std::string>& ignore,
                          std::vector<std::string>& warnings) {
  if (base.ends_with(".json"))
    throw BadInput(
        "compare --history: the base is Google Benchmark's JSON, which no history holds");
  const HistoryDb db(a.db, HistoryDb::Mode::Read);
  const std::string fingerprint =
      machine_fingerprint(read_meta(report_prefix(base), "compare").machine);
  auto values =
      std::make_shared<std::map<std::pair<std::string, std::string>, std::vector<double>>>();
  for (const auto& s : db.series(ignore, {fingerprint, report_prefix(candidate) + ".csv"})) {
    auto& v = (*values)[{s.key, s.metric}];
    const std::size_t from = s.points.size() > static_cast<std::size_t>(a.runs)
                                 ? s.points.size() - static_cast<std::size_t>(a.runs)
                                 : 0;
    for (std::size_t i = from; i < s.points.size(); ++i) v.push_back(s.points[i].value);
  }
  if (values->empty()) {
    warnings.push_back(fmt::format(
        "{} holds no run of the base report's machine ({}): judged on the repetitions alone; add "
        "this machine's runs with 'parbench history add'",
        a.db, fingerprint));
  }
  return [values](const MetricComparison& m) -> std::optional<RunNoise> {
    std::string key = m.case_key;
    while (!key.empty() && key.back() == ' ') key.pop_back();
    const auto it = values->find({key, m.metric});
    if (it == values->end()) return std::nullopt;
    return between_run_noise(it->second, m.min_effect);
  };
}

// ---- ab ----

struct AbArgs {
  std::string baseline, candidate, out;
  int rounds = 5;
  CompareArgs compare;
};

// A side is a shell command with {out} where the rows report goes, or a parbench binary that gets
// the arguments after `--` and `--quiet --out PREFIX`.
std::vector<std::string> side_argv(const std::string& side,
                                   const std::vector<std::string>& passthrough,
                                   const std::string& prefix) {
  const bool template_command = side.find("{out}") != std::string::npos;
  if (template_command) {
    std::string cmd = side;
    for (std::size_t at = cmd.find("{out}"); at != std::string::npos;
         at = cmd.find("{out}", at + prefix.size())) {
      cmd.replace(at, 5, prefix);
    }
    return {"/bin/sh", "-c", cmd};
  }
  std::vector<std::string> argv = {side};
  argv.insert(argv.end(), passthrough.begin(), passthrough.end());
  argv.insert(argv.end(), {"--quiet", "--out", prefix});
  return argv;
}

void check_ab_args(const AbArgs& a, const std::vector<std::string>& passthrough) {
  if (a.rounds < 1 || a.rounds > 1000)
    throw BadInput(fmt::format("--rounds: {} is out of range; expected 1 to 1000", a.rounds));
  for (const auto* side : {&a.baseline, &a.candidate}) {
    if (side->find("{out}") == std::string::npos && passthrough.empty()) {
      throw BadInput(fmt::format(
          "ab: '{}' is a binary, so give the parbench arguments after --, e.g. "
          "-- run cpu_sum --reps 5; or write a command with {{out}} where its report goes",
          *side));
    }
  }
}

// One side's repetitions pooled over its rounds, with the union of their columns.
struct Side {
  const char* name;  // "baseline" or "candidate"
  const std::string& command;
  std::vector<Row> rows;
  ReportSchema schema;
  std::string first_report;  // its first run's report: for the recorded metric directions
  std::vector<std::vector<Row>> rounds;  // each round's rows, in order
};

// Runs one side once into PREFIX and pools its rows. false when the run was interrupted.
bool run_side(Side& side, const std::vector<std::string>& passthrough, const std::string& prefix) {
  const int status = run_and_wait(side_argv(side.command, passthrough, prefix));
  if (status == 130 || interrupt_requested()) return false;
  if (status != 0 && status != 1) {  // 1: the run finished with error rows, which compare reports
    throw BadInput(
        fmt::format("ab: the {} run exited with status {}{}", side.name, status,
                    status == 127 ? " (could it be started?)" : "; its output is above"));
  }
  ReportSchema schema;
  std::vector<Row> rows = read_report_rows(
      prefix + ".csv", &schema, fmt::format("ab: the {} run wrote no readable report", side.name));
  if (side.first_report.empty()) side.first_report = prefix + ".csv";
  side.rounds.push_back(rows);
  for (auto& r : rows) side.rows.push_back(std::move(r));
  add_unique(side.schema.params, schema.params);
  add_unique(side.schema.metrics, schema.metrics);
  return true;
}

int run_ab(const AbArgs& a, const std::vector<std::string>& passthrough) {
  CompareOptions options = to_options(a.compare);  // bad options fail before anything runs
  check_ab_args(a, passthrough);
  const std::string dir =
      a.out.empty() ? "reports/results/ab-" + local_timestamp("%Y%m%d-%H%M%S") : a.out;
  prepare_output_dir(dir, "--out");
  install_interrupt_handlers();
  Side base{"baseline", a.baseline, {}, {}, {}, {}},
      candidate{"candidate", a.candidate, {}, {}, {}, {}};
  for (int round = 1; round <= a.rounds; ++round) {
    // A B, then B A: a drift during the session lands on both sides equally.
    for (Side* side :
         round % 2 == 1 ? std::array{&base, &candidate} : std::array{&candidate, &base}) {
      const bool is_base = side == &base;
      fmt::print(stderr, "ab: round {}/{}: {}\n", round, a.rounds, side->name);
      const std::string prefix = fmt::format("{}/{}-{:02}", dir, is_base ? "base" : "new", round);
      if (!run_side(*side, passthrough, prefix)) {
        fmt::print(stderr, "parbench: interrupted; the reports so far are in {}\n", dir);
        return 130;
      }
    }
  }
  // The pooled repetitions of each side, kept for a later `parbench compare`.
  for (const auto& [side, name] : {std::pair{&base, "base"}, std::pair{&candidate, "new"}}) {
    RowsCsvSink sink(fmt::format("{}/{}.csv", dir, name), side->schema);
    for (const auto& r : side->rows) sink.write(r);
  }
  fmt::print(stderr, "ab: pooled reports: {0}/base.csv, {0}/new.csv\n", dir);
  use_recorded_directions(options, {base.first_report, candidate.first_report});
  // Both sides ran here, but they may be different builds (Debug against Release, a sanitizer).
  const auto other = check_machines(base.first_report, candidate.first_report, a.compare, "ab");
  // Each round's candidate against the same round's baseline: the drift of the session cancels.
  return report(compare_paired(base.rounds, candidate.rounds, options), a.compare.format, other);
}

}  // namespace

Command add_compare(CLI::App& app) {
  struct State {
    std::string base, candidate;
    CompareArgs args;
    NoiseArgs history;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand("compare",
                                 "Compare two reports case by case: regressed only if significant "
                                 "(Mann-Whitney U) and larger than "
                                 "the minimum effect");
  cmd->add_option("base", s->base, "Baseline report: PREFIX.csv, PREFIX, or Google Benchmark JSON")
      ->required();
  cmd->add_option("new", s->candidate, "Report to check against it")->required();
  add_compare_options(cmd, s->args);
  cmd->add_option("--history", s->history.db,
                  "History database (parbench history add) of this machine's earlier runs: each "
                  "case's threshold widens to its spread between runs, and a case that flips "
                  "between two levels is reported as unstable instead of gated");
  cmd->add_option("--history-sigmas", s->history.sigmas,
                  "Standard deviations of the difference of two runs that count as a change "
                  "(default 4)");
  cmd->add_option("--history-runs", s->history.runs,
                  "Newest runs of each case the spread is learned from (default 30)");
  return [s] {
    CompareOptions options = to_options(s->args);
    if (!(s->history.sigmas > 0 && s->history.sigmas <= 20))
      throw BadInput(
          fmt::format("--history-sigmas: {} is out of range; expected 0 to 20", s->history.sigmas));
    if (s->history.runs < static_cast<int>(kMinNoiseRuns) || s->history.runs > 100000)
      throw BadInput(fmt::format("--history-runs: {} is out of range; expected {} to 100000",
                                 s->history.runs, kMinNoiseRuns));
    use_recorded_directions(options, {s->base, s->candidate});
    const auto other = check_machines(s->base, s->candidate, s->args, "compare");
    const auto base = load(s->base);
    const auto candidate = load(s->candidate);
    std::vector<std::string> warnings;
    if (!s->history.db.empty()) {
      options.between_runs =
          history_noise(s->history, s->base, s->candidate, options.ignore_params, warnings);
      options.noise_sigmas = s->history.sigmas;
    }
    Comparison c = compare_rows(base, candidate, options);
    c.warnings.insert(c.warnings.end(), warnings.begin(), warnings.end());
    if (s->history.db.empty()) {
      c.warnings.emplace_back(
          "separate runs judged on their repetitions alone: how far a case moves between runs is "
          "not known here; --history DB widens each case's threshold to it");
    }
    return report(c, s->args.format, other);
  };
}

Command add_ab(CLI::App& app, std::vector<std::string> passthrough) {
  auto s = std::make_shared<AbArgs>();
  auto* cmd = app.add_subcommand("ab",
                                 "Run a baseline and a candidate alternately (A B B A ...) in one "
                                 "session and compare them; arguments after "
                                 "-- go to both");
  cmd->add_option("--baseline", s->baseline,
                  "parbench binary, or a shell command with {out} for its report")
      ->required();
  cmd->add_option("--candidate", s->candidate, "the same for the candidate")->required();
  cmd->add_option("--rounds", s->rounds, "Runs of each side (default 5)");
  cmd->add_option("--out", s->out,
                  "Directory for every run's report (default reports/results/ab-TIMESTAMP)");
  add_compare_options(cmd, s->compare);
  return [s, passthrough = std::move(passthrough)] { return run_ab(*s, passthrough); };
}

}  // namespace parbench::cli
