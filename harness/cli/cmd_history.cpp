// parbench history add|list|show|check|report: runs kept in SQLite (history.hpp), and the runs
// where a case's series stepped found by E-Divisive means (change_points.hpp).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <sstream>

#include "bad_input.hpp"
#include "change_points.hpp"
#include "commands.hpp"
#include "compare.hpp"
#include "console_table.hpp"
#include "csv_writer.hpp"
#include "history.hpp"
#include "history_check.hpp"
#include "history_report.hpp"
#include "interrupt.hpp"
#include "plan.hpp"
#include "report_files.hpp"
#include "run_noise.hpp"
#include "text_utils.hpp"
#include "unique_list.hpp"

namespace parbench::cli {
namespace {

struct HistoryArgs {
  std::string db = "reports/history.sqlite";
  std::string prefix, commit, branch, filter, out;
  std::vector<std::string> ignore_params, metrics;
  int last = 0;
  double alpha = 0.01;
  double min_effect = 0.02;
  double gate_effect = 0.05;          // compare's default minimum effect
  double sigmas = 4;                  // compare --history-sigmas
  std::vector<std::string> accepted;  // history check --accept: commits of intended changes
};

std::vector<std::string> list_option(const std::vector<std::string>& given, const char* option) {
  std::vector<std::string> out;
  for (const auto& g : given) {
    for (auto& item : split_list(g, option)) out.push_back(item);
  }
  return out;
}

std::string short_commit(const std::string& c) { return c.size() > 12 ? c.substr(0, 12) : c; }

std::string value_text(double v) { return fmt::format("{:.4g}", v); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every word of `filter` appears in `text`, ignoring case.
bool matches(const std::string& text, const std::string& filter) {
  const std::string t = lower(text);
  std::istringstream words(lower(filter));
  for (std::string w; words >> w;) {
    if (t.find(w) == std::string::npos) return false;
  }
  return true;
}

// Every series of the history, the parameters in --ignore-param left out of the keys.
std::vector<Series> all_series(const HistoryDb& db, const HistoryArgs& a) {
  return db.series(list_option(a.ignore_params, "--ignore-param"));
}

// What the selection options say, for a message: "matches 'cpu_sum' with metric wall_ns".
std::string selection_text(const HistoryArgs& a) {
  const auto metrics = list_option(a.metrics, "--metric");
  std::string out = fmt::format("matches '{}'", a.filter);
  if (!metrics.empty()) out += fmt::format(" with metric {}", fmt::join(metrics, " or "));
  return out;
}

// The series of `all` the options select: FILTER (words that must all appear in "case metric"),
// --metric, and --last N points of each. BadInput, naming `command`, when none is selected: a
// --metric no series has (with those it has), or a filter that matches nothing.
std::vector<Series> selected(std::vector<Series> all, const HistoryArgs& a,
                             std::string_view command) {
  const auto metrics = list_option(a.metrics, "--metric");
  if (all.empty()) throw BadInput(fmt::format("{}: no series in {}", command, a.db));
  std::vector<std::string> known;
  for (const auto& s : all) add_unique(known, s.metric);
  for (const auto& m : metrics) {
    if (std::find(known.begin(), known.end(), m) == known.end()) {
      throw BadInput(fmt::format("{}: --metric: no series of {} has metric '{}'{}; known: {}",
                                 command, a.db, m, did_you_mean(m, known), fmt::join(known, ", ")));
    }
  }
  std::vector<Series> out;
  for (auto& s : all) {
    if (!matches(s.key + " " + s.metric, a.filter)) continue;
    if (!metrics.empty() && std::find(metrics.begin(), metrics.end(), s.metric) == metrics.end())
      continue;
    if (a.last > 0 && s.points.size() > static_cast<std::size_t>(a.last))
      s.points.erase(s.points.begin(), s.points.end() - a.last);
    out.push_back(std::move(s));
  }
  if (out.empty()) {
    throw BadInput(fmt::format("{}: no series of {} {} ({} series; one reads '{} {}')", command,
                               a.db, selection_text(a), all.size(), all.front().key,
                               all.front().metric));
  }
  return out;
}

int list_runs(const HistoryArgs& a) {
  const HistoryDb db(a.db, HistoryDb::Mode::Read);
  const auto runs = db.runs();
  fmt::print("{:>4}  {:<20}  {:<12}  {:<10}  {:<12}  {:>6}  {}\n", "run", "added", "commit",
             "branch", "host", "points", "machine");
  for (const auto& r : runs) {
    fmt::print("{:>4}  {:<20}  {:<12}  {:<10}  {:<12}  {:>6}  {}\n", r.id, r.added_at,
               short_commit(r.commit), r.branch.empty() ? "-" : r.branch, r.host, r.points,
               r.fingerprint);
  }
  fmt::print("{} run(s) in {}\n", runs.size(), a.db);
  return 0;
}

int show(const HistoryArgs& a) {
  const HistoryDb db(a.db, HistoryDb::Mode::Read);
  const auto series = selected(all_series(db, a), a, "history show");
  for (const auto& s : series) {
    fmt::print("\n{}  {} ({} is better)\n", s.key, s.metric,
               s.direction == Direction::HigherIsBetter ? "higher" : "lower");
    fmt::print("{:>4}  {:<12}  {:<20}  {:>12}  {:>8}  {:>6}\n", "run", "commit", "added", "value",
               "change", "cv");
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      const std::string change =
          i == 0 || s.points[i - 1].value == 0
              ? "-"
              : fmt::format("{:+.1f}%", (p.value / s.points[i - 1].value - 1) * 100);
      fmt::print("{:>4}  {:<12}  {:<20}  {:>12}  {:>8}  {:>5.1f}%\n", p.run_id,
                 short_commit(p.commit), p.added_at, value_text(p.value), change, p.cv * 100);
    }
  }
  return 0;
}

// One series' steps, and what check_series concluded of its newest runs.
void print_series_check(const Series& s, const SeriesVerdict& v) {
  fmt::print("{}  {}: {} run(s), {} step(s)\n", s.key, s.metric, s.points.size(), v.steps.size());
  for (const auto& [c, why_machine] : v.steps) {
    const auto& p = s.points[c.index];
    fmt::print("  at run {} (commit {}, {}): {:+.1f}% ({} -> {}), confidence {:.1f}% ({})\n",
               p.run_id, short_commit(p.commit), p.added_at, c.change() * 100,
               value_text(c.mean_before), value_text(c.mean_after), (1 - c.p_value) * 100,
               !why_machine.empty() ? why_machine
               : worse(s, c)        ? "regression"
                                    : "improvement");
  }
  if (v.held_step) {
    const auto& p = s.points[v.steps[*v.held_step].at.index];
    fmt::print(
        "  REGRESSION HELD: the newest level {} is {:+.1f}% against {} before the step at run {} "
        "(commit {}), the last accepted level; not recovered (--accept {} if it was intended)\n",
        value_text(v.newest_level), (v.newest_level / v.accepted_level - 1) * 100,
        value_text(v.accepted_level), p.run_id, short_commit(p.commit), short_commit(p.commit));
  }
  if (v.suspect_at) {
    const auto& p = s.points[*v.suspect_at];
    fmt::print(
        "  {} at run {} (commit {}): {} newest run(s) beyond the band of {:.1f}% around the "
        "level {} before them ({:+.1f}%); {}\n",
        v.suspect_machine.empty() ? "SUSPECTED REGRESSION" : "newest runs off their level",
        p.run_id, short_commit(p.commit), s.points.size() - *v.suspect_at, v.band * 100,
        value_text(v.suspect_level), (s.points.back().value / v.suspect_level - 1) * 100,
        v.suspect_machine.empty() ? "later runs confirm or clear it" : v.suspect_machine);
  }
}

int check(const HistoryArgs& a) {
  const HistoryDb db(a.db, HistoryDb::Mode::Read);
  const auto all = all_series(db, a);
  const auto series = selected(all, a, "history check");
  HistoryCheckOptions options;
  options.change_points.alpha = a.alpha;
  options.min_effect = a.min_effect;
  options.gate_effect = a.gate_effect;
  options.sigmas = a.sigmas;
  options.accepted = list_option(a.accepted, "--accept");
  const auto machine = machine_by_case(all);
  std::size_t checked = 0, stepped = 0, held = 0, suspected = 0, too_short = 0, disturbed = 0;
  for (const auto& s : series) {
    if (is_machine_metric(s.metric)) continue;  // the machine's series, read beside the others
    ++checked;
    if (s.points.size() < 2 * options.change_points.min_size) {
      ++too_short;
      continue;
    }
    const SeriesVerdict v = check_series(s, machine, options);
    for (const auto& step : v.steps) disturbed += step.machine.empty() ? 0 : 1;
    held += v.held_step ? 1 : 0;
    suspected += v.suspect_at && v.suspect_machine.empty() ? 1 : 0;
    if (v.steps.empty() && !v.regressed()) continue;
    stepped += v.steps.empty() ? 0 : 1;
    print_series_check(s, v);
  }
  fmt::print(
      "{} series checked ({} with fewer than {} runs skipped), {} stepped; method: E-Divisive "
      "means, permutation test alpha {}, {} permutations, steps under {:.0f}% ignored; the newest "
      "runs against a band of max({:g}%, {:g} sd of the difference of two runs)\n",
      checked, too_short, 2 * options.change_points.min_size, stepped, a.alpha,
      options.change_points.permutations, a.min_effect * 100, a.gate_effect * 100, a.sigmas);
  if (disturbed > 0) {
    fmt::print(
        "{} step(s) came with the machine changing under the case (machine_capacity, "
        "machine_throughput or cpus_left, as each says): not judged\n",
        disturbed);
  }
  if (held + suspected > 0) {
    fmt::print(
        "{} series hold a regression against their last accepted level, {} have a "
        "suspected regression in their newest runs\n",
        held, suspected);
    return 1;
  }
  return 0;
}

// Each series' spread between runs (run_noise.hpp) and the threshold `compare --history` would
// apply: which cases are steady enough to gate on.
int noise(const HistoryArgs& a) {
  const HistoryDb db(a.db, HistoryDb::Mode::Read);
  const auto series = selected(all_series(db, a), a, "history noise");
  std::vector<std::vector<std::string>> table = {
      {"case", "metric", "runs", "between-run sd", "threshold", "status"}};
  std::size_t unstable = 0, few = 0;
  for (const auto& s : series) {
    std::vector<double> values;
    for (const auto& p : s.points) values.push_back(p.value);
    const auto n = between_run_noise(values, a.gate_effect);
    if (!n) {
      ++few;
      table.push_back({s.key, s.metric, std::to_string(values.size()), "", "",
                       fmt::format("fewer than {} runs", kMinNoiseRuns)});
      continue;
    }
    if (n->unstable) ++unstable;
    table.push_back({s.key, s.metric, std::to_string(n->runs),
                     fmt::format("{:.1f}%", std::expm1(n->sigma) * 100),
                     fmt::format("{:.1f}%", std::max(a.gate_effect, n->threshold(a.sigmas)) * 100),
                     n->unstable ? fmt::format("unstable: levels {} and {}, {} switches",
                                               value_text(n->low), value_text(n->high), n->switches)
                                 : "stable"});
  }
  fmt::print("{}", format_text_table(table, {2, 3, 4}));
  fmt::print(
      "{} series: {} unstable (compare --history reports them and does not gate), {} with too few "
      "runs; threshold = max({:g}%, exp({:g} sd x sqrt 2) - 1)\n",
      series.size(), unstable, few, a.gate_effect * 100, a.sigmas);
  return 0;
}

int report(const HistoryArgs& a) {
  const std::string out = a.out.empty() ? "reports/results/history.html" : a.out;
  check_output_file(out, "--out");
  const HistoryDb db(a.db, HistoryDb::Mode::Read);
  const auto all = all_series(db, a);
  const auto series = selected(all, a, "history report");
  ChangePointOptions options;
  options.alpha = a.alpha;
  if (const auto dir = std::filesystem::path(out).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
  }
  write_file_atomically(out, history_report_html(series, db.runs(), options, a.min_effect,
                                                 machine_by_case(all), a.gate_effect, a.db));
  fmt::print("history report: {} ({} series)\n", out, series.size());
  return 0;
}

// `history add`: the report read and checked before the database is opened, so a bad report
// leaves no database; a database this call created is removed again when the add fails.
int add_run(const HistoryArgs& a) {
  std::string prefix = a.prefix;
  if (prefix.ends_with(".csv")) prefix.resize(prefix.size() - 4);
  const PreparedRun run = prepare_run({prefix, a.commit, a.branch});
  namespace fs = std::filesystem;
  const bool existed = fs::exists(a.db);
  const fs::path dir = fs::path(a.db).parent_path();
  const bool dir_existed = dir.empty() || fs::exists(dir);
  // A signal before the first run is stored removes the new file: no empty history is left.
  std::vector<int> scratch;
  if (!existed) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      scratch.push_back(register_scratch_file(a.db + suffix));
  }
  const auto keep = [&] {
    for (int slot : scratch) unregister_scratch_file(slot);
  };
  try {
    HistoryDb db(a.db, HistoryDb::Mode::Write);
    const AddResult added = db.add(run);
    keep();
    if (added.already) {
      fmt::print("history: this report is run {} of {} already; not added again\n", added.id, a.db);
    } else {
      fmt::print("history: run {} added to {}\n", added.id, a.db);
    }
    return 0;
  } catch (...) {
    keep();
    if (!existed) {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(a.db + suffix, ec);
      if (!dir_existed) fs::remove(dir, ec);
    }
    throw;
  }
}

// The options of the subcommands that read series: which cases, metrics and runs. Returns the
// --last options, to tell a given 0 from none.
std::vector<CLI::Option*> add_series_options(std::initializer_list<CLI::App*> subs,
                                             HistoryArgs& a) {
  std::vector<CLI::Option*> lasts;
  for (auto* sub : subs) {
    sub->add_option("filter", a.filter,
                    "Words that must all appear in 'case metric', any case (e.g. 'cpu_sum "
                    "thread')");
    sub->add_option("--metric", a.metrics, "Metrics, comma-separated (default: all)")
        ->allow_extra_args(false);
    sub->add_option("--ignore-param", a.ignore_params,
                    "Parameters left out of a case's identity, comma-separated (as in compare)")
        ->allow_extra_args(false);
    lasts.push_back(sub->add_option("--last", a.last, "Only the newest N runs of each series"));
  }
  return lasts;
}

void check_args(const HistoryArgs& a, bool last_given) {
  if (a.last < 0 || (last_given && a.last == 0)) {
    throw BadInput(fmt::format(
        "--last: {}; expected a positive number of runs (leave it out for every run)", a.last));
  }
  if (!(a.sigmas > 0 && a.sigmas <= 20))
    throw BadInput(fmt::format("--history-sigmas: {} is out of range; expected 0 to 20", a.sigmas));
  if (!(a.alpha > 0 && a.alpha < 1)) throw BadInput("--alpha: expected a value in (0, 1)");
  if (!(a.min_effect >= 0 && a.min_effect < 10))
    throw BadInput("--min-effect: expected a fraction from 0 to 10 (0.02 is 2%)");
}

}  // namespace

Command add_history(CLI::App& app) {
  auto a = std::make_shared<HistoryArgs>();
  auto* cmd = app.add_subcommand(
      "history", "Keep runs per commit in SQLite and find the runs where a series stepped");
  cmd->require_subcommand(1);
  cmd->add_option("--db", a->db, "History database (default reports/history.sqlite)");
  auto* add = cmd->add_subcommand("add", "Store a run's rows, summary and meta.json");
  add->add_option("prefix", a->prefix, "The run's report: PREFIX or PREFIX.csv")->required();
  add->add_option("--commit", a->commit, "Commit it measured (default: the build's git revision)");
  add->add_option("--branch", a->branch, "Branch it measured");
  auto* list = cmd->add_subcommand("list", "The runs stored, oldest first");
  auto* show_cmd = cmd->add_subcommand("show", "Each matching case's series as a table");
  auto* check_cmd = cmd->add_subcommand(
      "check",
      "Change points per case and metric (E-Divisive means); exit 1 when the newest runs "
      "hold a regression against the last accepted level, or are suspected of one");
  auto* report_cmd =
      cmd->add_subcommand("report", "One self-contained HTML page: a trend plot per case");
  auto* noise_cmd = cmd->add_subcommand(
      "noise",
      "Each case's spread between runs, the threshold compare --history applies, and whether "
      "the series flips between two levels (unstable)");
  noise_cmd->add_option("--history-sigmas", a->sigmas,
                        "Standard deviations of the difference of two runs (default 4)");
  for (auto* sub : {add, list, show_cmd, check_cmd, report_cmd, noise_cmd}) {
    sub->add_option("--db", a->db, "History database (default reports/history.sqlite)");
  }
  const auto lasts = add_series_options({show_cmd, check_cmd, report_cmd, noise_cmd}, *a);
  for (auto* sub : {check_cmd, report_cmd}) {
    sub->add_option("--alpha", a->alpha, "Significance of a change point (default 0.01)");
    sub->add_option("--min-effect", a->min_effect,
                    "Smallest step that counts, as a fraction (default 0.02)");
  }
  check_cmd
      ->add_option("--accept", a->accepted,
                   "Commits (or prefixes) whose step is intended: the level from there on is "
                   "accepted, comma-separated")
      ->allow_extra_args(false);
  check_cmd->add_option("--history-sigmas", a->sigmas,
                        "The newest runs' band: standard deviations of the difference of two runs "
                        "(default 4, as compare --history)");
  report_cmd->add_option("--out", a->out, "Output file (default reports/results/history.html)");
  return [a, add, list, show_cmd, check_cmd, report_cmd, noise_cmd, lasts] {
    check_args(*a, std::any_of(lasts.begin(), lasts.end(),
                               [](const CLI::Option* o) { return o->count() > 0; }));
    if (add->parsed()) return add_run(*a);
    if (list->parsed()) return list_runs(*a);
    if (show_cmd->parsed()) return show(*a);
    if (check_cmd->parsed()) return check(*a);
    if (report_cmd->parsed()) return report(*a);
    if (noise_cmd->parsed()) return noise(*a);
    return 2;
  };
}

}  // namespace parbench::cli
