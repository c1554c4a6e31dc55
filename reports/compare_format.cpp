// The comparison as text for a terminal, markdown for a pull request comment, and JSON for tools.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "compare.hpp"
#include "console_table.hpp"

namespace parbench {
namespace {

std::string format_value(const std::string& metric, double v) {
  if (metric.ends_with("_ns")) return format_duration(v);
  if (std::abs(v) >= 1e6) return fmt::format("{:.6g}", v);  // instruction counts: 1% must show
  return fmt::format("{:.4g}", v);
}

std::string format_change(double change) { return fmt::format("{:+.1f}%", change * 100); }

std::string format_p(double p) {
  if (std::isnan(p)) return "-";  // no test: a run-level figure
  return p < 0.0001 ? "<0.0001" : fmt::format("{:.4f}", p);
}

// The headline's lines: the counts, and the INCONCLUSIVE line when the gate could not tell.
std::vector<std::string> headline(const Comparison& c) {
  const auto& o = c.options;
  std::string effects = fmt::format("{:g}%", o.min_effect * 100);
  for (const auto& effect : o.min_effect_for) {
    const std::string& metric = effect.first;
    const bool used =
        std::any_of(c.items.begin(), c.items.end(), [&](auto& m) { return m.metric == metric; });
    if (used) effects += fmt::format(", {} {:g}%", metric, effect.second * 100);
  }
  const bool history = std::any_of(c.items.begin(), c.items.end(),
                                   [](auto& m) { return m.between_runs.has_value(); });
  std::string unstable;
  if (c.count(Verdict::Unstable) + c.count(Verdict::Disturbed) > 0) {
    unstable = fmt::format(", {} unstable (within their levels) and {} disturbed (not judged)",
                           c.count(Verdict::Unstable), c.count(Verdict::Disturbed));
  }
  std::vector<std::string> lines = {fmt::format(
      "{} regressed, {} failed, {} improved, {} unchanged{} ({}, alpha {}, minimum "
      "effect {}{})",
      c.count(Verdict::Regressed), c.count(Verdict::Failed), c.count(Verdict::Improved),
      c.count(Verdict::Unchanged), unstable, c.method, o.alpha, effects,
      history ? fmt::format(", or {:g} sd of the difference of two runs where the history is wider",
                            o.noise_sigmas)
              : "")};
  if (c.inconclusive()) {
    lines.push_back(
        fmt::format("INCONCLUSIVE: {} of {} comparisons were not judged, more than the {:g}% "
                    "a gate may leave (--max-excluded): nothing is known to have regressed, "
                    "nor shown not to; run again (exit 4)",
                    c.excluded(), c.items.size(), o.max_excluded * 100));
  }
  return lines;
}

// Reports of two machines compared anyway (--allow-other-machine): every line of text and
// markdown starts with the mark, after a first line naming what differs.
std::string other_machine_mark(const Comparison& c) {
  return c.other_machine.empty() ? "" : "[other machine] ";
}

std::string other_machine_line(const Comparison& c) {
  return c.other_machine.empty()
             ? ""
             : fmt::format("[other machine] {}\n", fmt::join(c.other_machine, "; "));
}

bool with_thresholds(const Comparison& c) {
  return std::any_of(c.items.begin(), c.items.end(), [](auto& m) {
    return m.between_runs.has_value() || m.verdict == Verdict::Disturbed;
  });
}

std::string format_threshold(const MetricComparison& m) {
  return m.verdict == Verdict::Failed ? "" : fmt::format("{:.1f}%", m.min_effect * 100);
}

// The verdict's emoji in a pull request comment.
const char* icon(Verdict v) {
  switch (v) {
    case Verdict::Regressed:
      return ":red_circle:";
    case Verdict::Failed:
      return ":x:";
    case Verdict::Improved:
      return ":green_circle:";
    case Verdict::Unchanged:
      return ":white_circle:";
    case Verdict::Unstable:
      return ":large_orange_diamond:";
    case Verdict::Disturbed:
      return ":warning:";
  }
  return "";
}

// Text in a markdown table cell: a | would end the cell.
std::string escape(const std::string& s) {
  std::string r;
  for (char ch : s) r += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return r;
}

}  // namespace

std::string format_comparison_text(const Comparison& c) {
  const bool thresholds = with_thresholds(c);
  std::vector<std::vector<std::string>> table = {{"workload", "backend", "workers", "params",
                                                  "metric", "base", "new", "change", "p",
                                                  "threshold", "verdict", "note"}};
  for (const auto& m : c.items) {
    const bool failed = m.verdict == Verdict::Failed;
    table.push_back({m.workload, m.backend, std::to_string(m.workers), m.params, m.metric,
                     failed ? "" : format_value(m.metric, m.base_median),
                     failed ? "" : format_value(m.metric, m.new_median),
                     failed ? "" : format_change(m.change), failed ? "" : format_p(m.p),
                     format_threshold(m), std::string(verdict_name(m.verdict)), m.note});
  }
  if (!thresholds) {  // every case used the metric's own minimum effect: the headline says it
    for (auto& row : table) row.erase(row.begin() + 9);
  }
  std::vector<std::size_t> right = {2, 5, 6, 7, 8};
  if (thresholds) right.push_back(9);
  const std::string mark = other_machine_mark(c);
  std::string out = other_machine_line(c) + format_text_table(table, right, mark);
  for (const auto& w : c.warnings) out += fmt::format("{}warning: {}\n", mark, w);
  for (const auto& line : headline(c)) out += fmt::format("{}{}\n", mark, line);
  return out;
}

std::string format_comparison_markdown(const Comparison& c) {
  const std::string mark = other_machine_mark(c);
  std::string out = other_machine_line(c);
  out += fmt::format("### {}parbench: {}\n\n", mark,
                     c.regressed()      ? "performance regression"
                     : c.inconclusive() ? "inconclusive"
                                        : "no regression");
  for (const auto& line : headline(c)) out += fmt::format("{}{}\n", mark, line);
  out += "\n";
  const bool thresholds = with_thresholds(c);
  // The first cell holds the verdict, and the mark.
  out += fmt::format(
      "| {}| workload | backend | workers | params | metric | base | new | change | p |", mark);
  out += thresholds ? " threshold | note |\n" : "\n";
  out += "| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: |";
  out += thresholds ? " ---: | --- |\n" : "\n";
  // Regressions and failures first, then improvements, then the rest.
  std::vector<const MetricComparison*> order;
  for (Verdict v : {Verdict::Failed, Verdict::Regressed, Verdict::Disturbed, Verdict::Improved,
                    Verdict::Unstable, Verdict::Unchanged}) {
    for (const auto& m : c.items) {
      if (m.verdict == v) order.push_back(&m);
    }
  }
  for (const MetricComparison* m : order) {
    const bool failed = m->verdict == Verdict::Failed;
    out += fmt::format("| {}{} {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |", mark,
                       icon(m->verdict), verdict_name(m->verdict), m->workload, m->backend,
                       m->workers, escape(m->params), m->metric,
                       failed ? "" : format_value(m->metric, m->base_median),
                       failed ? escape(m->note) : format_value(m->metric, m->new_median),
                       failed ? "" : format_change(m->change), failed ? "" : format_p(m->p));
    out += thresholds
               ? fmt::format(" {} | {} |\n", format_threshold(*m), failed ? "" : escape(m->note))
               : "\n";
  }
  if (!c.warnings.empty()) {
    out += "\n";
    for (const auto& w : c.warnings) out += fmt::format("> {}warning: {}\n", mark, escape(w));
  }
  return out;
}

std::string format_comparison_json(const Comparison& c) {
  nlohmann::json j;
  j["alpha"] = c.options.alpha;
  j["min_effect"] = c.options.min_effect;
  j["regressed"] = c.regressed();
  j["counts"] = {
      {"regressed", c.count(Verdict::Regressed)}, {"failed", c.count(Verdict::Failed)},
      {"improved", c.count(Verdict::Improved)},   {"unchanged", c.count(Verdict::Unchanged)},
      {"unstable", c.count(Verdict::Unstable)},   {"disturbed", c.count(Verdict::Disturbed)}};
  j["noise_sigmas"] = c.options.noise_sigmas;
  j["inconclusive"] = c.inconclusive();
  j["max_excluded"] = c.options.max_excluded;
  j["exit_status"] = c.exit_status();
  j["only_in_base"] = c.only_in_base;
  j["only_in_new"] = c.only_in_new;
  j["warnings"] = c.warnings;
  if (!c.other_machine.empty()) j["other_machine"] = c.other_machine;
  j["comparisons"] = nlohmann::json::array();
  for (const auto& m : c.items) {
    nlohmann::json e = {{"case", m.case_key},
                        {"workload", m.workload},
                        {"backend", m.backend},
                        {"workers", m.workers},
                        {"params", m.params},
                        {"metric", m.metric},
                        {"verdict", verdict_name(m.verdict)},
                        {"note", m.note}};
    if (m.verdict != Verdict::Failed) {
      e["better"] = m.direction == Direction::LowerIsBetter ? "lower" : "higher";
      e["base_n"] = m.base_n;
      e["new_n"] = m.new_n;
      e["base_median"] = m.base_median;
      e["new_median"] = m.new_median;
      e["change"] = m.change;
      e["p"] = std::isnan(m.p) ? nlohmann::json(nullptr) : nlohmann::json(m.p);
      e["min_effect"] = m.min_effect;
    }
    if (m.between_runs) {
      const RunNoise& n = *m.between_runs;
      e["between_runs"] = {{"runs", n.runs}, {"sd_log", n.sigma}, {"unstable", n.unstable}};
      if (n.unstable) {
        e["between_runs"]["levels"] = {n.low, n.high};
        e["between_runs"]["switches"] = n.switches;
      }
    }
    j["comparisons"].push_back(std::move(e));
  }
  return j.dump(2) + "\n";
}

const NamedRegistry<ComparisonFormat>& comparison_formats() {
  static const NamedRegistry<ComparisonFormat> formats{
      +[] { return std::make_unique<ComparisonFormat>("text", &format_comparison_text); },
      +[] { return std::make_unique<ComparisonFormat>("md", &format_comparison_markdown); },
      +[] { return std::make_unique<ComparisonFormat>("json", &format_comparison_json); }};
  return formats;
}

}  // namespace parbench
