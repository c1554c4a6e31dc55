#include "compare.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "bad_input.hpp"
#include "compare_cases.hpp"
#include "console_table.hpp"
#include "csv_reader.hpp"
#include "rows_csv.hpp"
#include "stats.hpp"
#include "summary_columns.hpp"

namespace parbench {
namespace compare_detail {

constexpr std::size_t kFewReps = 9;

// With `by_host`, the host is part of the case: a merged report holds the same case once per
// machine. Otherwise it is not, so a report compares with a baseline written on another machine.
std::string case_key(const Row& r, const std::vector<std::string>& ignore, bool by_host,
                     std::string* params_out) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& p : r.params) {
    if (std::find(ignore.begin(), ignore.end(), p.first) == ignore.end()) params.push_back(p);
  }
  std::sort(params.begin(), params.end());
  std::string text;
  for (const auto& [k, v] : params) text += fmt::format("{}{}={}", text.empty() ? "" : " ", k, v);
  if (by_host) text = fmt::format("host={}{}{}", r.host, text.empty() ? "" : " ", text);
  if (params_out != nullptr) *params_out = text;
  return fmt::format("{} {} w={} pin={} {}", r.workload, r.backend, r.workers, r.pin, text);
}

// Which way is better for a metric no declaration covers: the measured and summary columns say so
// themselves; a workload's metrics come from the report's meta.json (CompareOptions::direction);
// what is left (Google Benchmark's real_time_ns, cpu_time_ns) is a time or a count.
Direction default_direction(const std::string& metric) {
  if (metric == kBestWorkPerS) return Direction::HigherIsBetter;
  if (const Column* c = find_column(metric)) return c->better;
  if (const SummaryColumn* c = find_summary_column(metric); c != nullptr && c->better)
    return *c->better;
  return Direction::LowerIsBetter;
}

std::map<std::string, CaseRows> group(const std::vector<Row>& rows,
                                      const std::vector<std::string>& ignore, bool by_host) {
  std::map<std::string, CaseRows> cases;
  for (const auto& r : rows) {
    std::string params;
    const std::string key = case_key(r, ignore, by_host, &params);
    CaseRows& c = cases[key];
    c.workload = r.workload;
    c.backend = r.backend;
    c.workers = r.workers;
    c.params = params;
    if (r.ok()) {
      c.ok.push_back(&r);
    } else if (r.unsupported()) {
      c.unsupported = true;
    } else if (c.first_error.empty()) {
      c.first_error = r.error;
    }
  }
  return cases;
}

std::size_t distinct_hosts(const std::vector<Row>& rows) {
  std::set<std::string> hosts;
  for (const auto& r : rows) hosts.insert(r.host);
  return hosts.size();
}

}  // namespace compare_detail

using namespace compare_detail;

std::optional<double> metric_value(const Row& r, const std::string& metric) {
  if (metric == "work_per_s" || metric == kBestWorkPerS) {
    if (!r.work_units || !r.wall_ns || *r.wall_ns <= 0) return std::nullopt;
    return *r.work_units / (static_cast<double>(*r.wall_ns) * 1e-9);
  }
  if (metric == "cpu_ns") {
    if (!r.cpu_user_ns || !r.cpu_sys_ns) return std::nullopt;
    return static_cast<double>(*r.cpu_user_ns + *r.cpu_sys_ns);
  }
  if (const Column* c = find_column(metric)) return c->get(r);
  return r.metric(metric);
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Unchanged:
      return "unchanged";
    case Verdict::Regressed:
      return "REGRESSED";
    case Verdict::Improved:
      return "improved";
    case Verdict::Failed:
      return "FAILED";
    case Verdict::Unstable:
      return "unstable";
    case Verdict::Disturbed:
      return "disturbed";
  }
  return "";
}

std::size_t Comparison::count(Verdict v) const {
  return static_cast<std::size_t>(
      std::count_if(items.begin(), items.end(), [&](auto& i) { return i.verdict == v; }));
}

namespace compare_detail {

// One case's item for `metric`, before it is judged.
MetricComparison item_for(const std::string& key, const CaseRows& b, const std::string& metric) {
  MetricComparison m;
  m.case_key = key;
  m.workload = b.workload;
  m.backend = b.backend;
  m.workers = b.workers;
  m.params = b.params;
  m.metric = metric;
  return m;
}

// The metrics to compare for a case: --metric's list, or by default work per second (or, for a
// workload without a work rate, its metrics; for a `parbench count` report, valgrind's count).
std::vector<std::string> metrics_for(const CaseRows& b, const CompareOptions& options) {
  std::vector<std::string> metrics = options.metrics;
  const Row& first = *b.ok.front();
  const bool all = metrics.size() == 1 && metrics[0] == "all";
  if (metrics.empty() && first.metric("callgrind_ir")) return {"callgrind_ir"};
  if (!metrics.empty() && !all) return metrics;
  metrics.clear();
  if (all || first.work_units) metrics.emplace_back("work_per_s");
  if (all) metrics.insert(metrics.end(), {"wall_ns", "cpu_ns"});
  if (all || !first.work_units) {
    for (const auto& m : first.metrics) metrics.push_back(m.first);
  }
  return metrics;
}

std::vector<double> values_of(const std::vector<const Row*>& rows, const std::string& metric) {
  std::vector<double> out;
  for (const Row* r : rows) {
    if (auto v = metric_value(*r, metric)) out.push_back(*v);
  }
  return out;
}

}  // namespace compare_detail

namespace {

// A case whose history flips between two levels is judged against its levels, not its base: a new
// value past the worse level by more than that level's own spread between runs (the same rule as
// a stable case's threshold, at least the metric's minimum effect) is a regression; anything
// within the levels' bands is `unstable`: judged, and passed.
void judge_unstable(MetricComparison& m, double metric_effect, double sigmas) {
  const RunNoise& n = *m.between_runs;
  const bool higher = m.direction == Direction::HigherIsBetter;
  const double level = higher ? n.low : n.high;  // the worse one
  const double band = std::max(metric_effect, n.level_threshold(higher, sigmas));
  const double past = higher ? level / m.new_median - 1 : m.new_median / level - 1;
  if (m.new_median > 0 && level > 0 && past > band) {
    m.verdict = Verdict::Regressed;
    m.min_effect = band;
    m.note = fmt::format(
        "{}; the new value is {:.1f}% past the worse level ({:.4g}), beyond its "
        "band of {:.1f}%",
        n.describe(), past * 100, level, band * 100);
    return;
  }
  m.verdict = Verdict::Unstable;
}

// The statistics and the verdict of one metric of one case, from both sides' repetitions.
void judge(MetricComparison& m, const std::vector<double>& xs, const std::vector<double>& ys,
           const CompareOptions& options) {
  std::optional<Direction> dir;
  if (options.direction) dir = options.direction(m.workload, m.metric);
  m.direction = dir.value_or(default_direction(m.metric));
  m.base_n = xs.size();
  m.new_n = ys.size();
  // The fastest repetition of each side is one figure per run: there is no test on it, only the
  // threshold (which a history widens to its spread between runs).
  const bool best = m.metric == kBestWorkPerS;
  m.base_median = best ? *std::max_element(xs.begin(), xs.end())
                       : *median_of(xs);  // both sides have values: the caller skips empty ones
  m.new_median = best ? *std::max_element(ys.begin(), ys.end()) : *median_of(ys);
  m.change = m.base_median != 0 ? m.new_median / m.base_median - 1 : 0;
  const auto [x_lo, x_hi] = std::minmax_element(xs.begin(), xs.end());
  const auto [y_lo, y_hi] = std::minmax_element(ys.begin(), ys.end());
  const bool exact = *x_lo == *x_hi && *y_lo == *y_hi;
  // Every repetition gave the same value on each side (an instruction count): there is no noise
  // to tell a shift from, so any difference is real, whatever the number of repetitions.
  m.p = exact  ? (m.base_median == m.new_median ? 1.0 : 0.0)
        : best ? std::nan("")
               : mann_whitney_u(xs, ys).p;
  const bool significant = best || m.p < options.alpha;
  const auto eff = options.min_effect_for.find(m.metric);
  m.min_effect = eff != options.min_effect_for.end() ? eff->second : options.min_effect;
  const double metric_effect = m.min_effect;
  if (options.between_runs && !exact) {
    m.between_runs = options.between_runs(m);
    if (m.between_runs)
      m.min_effect = std::max(m.min_effect, m.between_runs->threshold(options.noise_sigmas));
  }
  const double worse = m.direction == Direction::LowerIsBetter ? m.change : -m.change;
  if (m.between_runs && m.between_runs->unstable) {
    judge_unstable(m, metric_effect, options.noise_sigmas);
  } else if (significant && worse > m.min_effect) {
    m.verdict = Verdict::Regressed;
  } else if (significant && -worse > m.min_effect) {
    m.verdict = Verdict::Improved;
  }
  if (exact) {
    m.note = "exact: no spread on either side";
  } else if (m.between_runs && m.verdict == Verdict::Regressed && m.between_runs->unstable) {
    // judge_unstable said why
  } else if (m.between_runs) {
    m.note = m.between_runs->describe();
  } else if (best) {
    m.note = "the fastest repetition of each side, judged on the threshold alone";
  } else if (std::min(xs.size(), ys.size()) < kFewReps) {
    m.note = fmt::format("{} vs {} repetitions", xs.size(), ys.size());
  }
}

// Between separate runs (a history given) the default work rate is the steadier of the median's
// and the fastest repetition's in this case's history: where neighbours slow some repetitions
// down (cpu_sum at 2 workers on a shared VM) the fastest moves a tenth as much from run to run;
// where the work itself varies (an uncontended lock) the median moves less.
std::string steadier_rate(const std::string& key, const CaseRows& b,
                          const CompareOptions& options) {
  std::string chosen = "work_per_s";
  double least = INFINITY;
  for (const char* metric : {"work_per_s", kBestWorkPerS}) {
    MetricComparison m = item_for(key, b, metric);
    m.min_effect = options.min_effect;
    const auto noise = options.between_runs(m);
    if (noise && !noise->unstable && noise->sigma < least) {
      least = noise->sigma;
      chosen = metric;
    }
  }
  return chosen;
}

// Every item of one case present in both reports, with a measured base.
void compare_case(const std::string& key, const CaseRows& b, const CaseRows& n,
                  const CompareOptions& options, Comparison& out) {
  if (n.ok.empty() || !n.first_error.empty()) {
    MetricComparison m = item_for(key, b, "status");
    m.verdict = Verdict::Failed;
    m.base_n = b.ok.size();
    m.new_n = n.ok.size();
    m.note =
        n.unsupported && n.first_error.empty() ? "unsupported in the new report" : n.first_error;
    out.items.push_back(std::move(m));
    return;
  }
  const Undisturbed rows = undisturbed(b, n);
  for (std::string metric : metrics_for(b, options)) {
    if (metric == "work_per_s" && options.metrics.empty() && options.between_runs)
      metric = steadier_rate(key, b, options);
    const std::vector<double> xs = values_of(rows.base, metric),
                              ys = values_of(rows.candidate, metric);
    if (xs.empty() || ys.empty()) continue;  // the metric is not reported for this case
    MetricComparison m = item_for(key, b, metric);
    judge(m, xs, ys, options);
    blame_machine(m, rows.base, rows.candidate);
    if (rows.set_aside > 0) {
      m.note = fmt::format(
          "{}{}{} repetition(s) set aside: the machine gave them under {:.0f}% of "
          "its capacity",
          m.note, m.note.empty() ? "" : "; ", rows.set_aside, kKeepCapacity * 100);
    }
    const bool warned = std::any_of(out.items.begin(), out.items.end(),
                                    [](const auto& i) { return i.note.ends_with("repetitions"); });
    if (!warned && m.note.ends_with("repetitions")) {
      out.warnings.push_back(fmt::format(
          "some cases have fewer than {} repetitions on a side (first: {}, {} vs {}); the test has "
          "little power there (with 3 vs 3 no p-value can go below 0.1): use --reps 10 or more",
          kFewReps, key, xs.size(), ys.size()));
    }
    out.items.push_back(std::move(m));
  }
}

}  // namespace

// What a gate must not pass silently: nothing in common, nothing compared.
void compare_detail::check_compared(const Comparison& out, std::size_t common,
                                    std::size_t base_without_rows, const CompareOptions& options) {
  if (common == 0) {
    throw BadInput(
        "compare: the two reports have no case in common (same workload, backend, workers, pin and "
        "parameters); --ignore-param NAME leaves a parameter out of the match");
  }
  if (out.items.empty()) {
    throw BadInput(fmt::format(
        "compare: nothing to compare: of the {} case(s) the reports share, {} have no measured "
        "row in the base report and the rest no value of the metric ({}) on both sides",
        common, base_without_rows,
        options.metrics.empty() ? std::string("default")
                                : fmt::format("{}", fmt::join(options.metrics, ", "))));
  }
}

Comparison compare_rows(const std::vector<Row>& base, const std::vector<Row>& candidate,
                        const CompareOptions& options) {
  Comparison out;
  out.options = options;
  const bool by_host = distinct_hosts(base) > 1 || distinct_hosts(candidate) > 1;
  const auto base_cases = group(base, options.ignore_params, by_host);
  const auto new_cases = group(candidate, options.ignore_params, by_host);
  std::size_t common = 0, base_without_rows = 0;
  for (const auto& [key, b] : base_cases) {
    const auto it = new_cases.find(key);
    if (it == new_cases.end()) {
      ++out.only_in_base;
      continue;
    }
    ++common;
    if (b.ok.empty()) {
      ++base_without_rows;  // nothing to compare against (unsupported or failed in the base)
      continue;
    }
    compare_case(key, b, it->second, options, out);
  }
  for (const auto& entry : new_cases) {
    if (!base_cases.contains(entry.first)) ++out.only_in_new;
  }
  check_compared(out, common, base_without_rows, options);
  if (base_without_rows > 0) {
    out.warnings.push_back(fmt::format(
        "{} shared case(s) have no measured row in the base report (failed or unsupported there) "
        "and were not compared",
        base_without_rows));
  }
  if (out.only_in_base + out.only_in_new > 0) {
    out.warnings.push_back(fmt::format(
        "{} case(s) only in the base report and {} only in the new one were not compared",
        out.only_in_base, out.only_in_new));
  }
  return out;
}

}  // namespace parbench
