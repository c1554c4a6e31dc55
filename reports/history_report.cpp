#include "history_report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "compare.hpp"
#include "report_render.hpp"

namespace parbench {
namespace {

struct Band {
  std::size_t begin, end;
  double lo, hi;
};

// Mean +- 2 sd of each stretch between change points: how far runs of unchanged code spread.
std::vector<Band> bands(const std::vector<double>& v, const std::vector<ChangePoint>& steps) {
  std::vector<std::size_t> cuts = {0};
  for (const auto& c : steps) cuts.push_back(c.index);
  cuts.push_back(v.size());
  std::vector<Band> out;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const std::size_t b = cuts[i], e = cuts[i + 1];
    double mean = 0, sq = 0;
    for (std::size_t k = b; k < e; ++k) mean += v[k];
    mean /= static_cast<double>(e - b);
    for (std::size_t k = b; k < e; ++k) sq += (v[k] - mean) * (v[k] - mean);
    const double sd = e - b > 1 ? std::sqrt(sq / static_cast<double>(e - b - 1)) : 0;
    out.push_back({b, e, mean - 2 * sd, mean + 2 * sd});
  }
  return out;
}

std::string plot(const Series& s, const std::vector<SeriesStep>& found) {
  std::vector<ChangePoint> steps;
  for (const auto& f : found) steps.push_back(f.at);
  constexpr double kW = 640, kH = 200, kLeft = 70, kRight = 10, kTop = 10, kBottom = 24;
  std::vector<double> v;
  for (const auto& p : s.points) v.push_back(p.value);
  const auto bs = bands(v, steps);
  double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
  for (const auto& b : bs) {
    lo = std::min(lo, b.lo);
    hi = std::max(hi, b.hi);
  }
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.01);
  const double n = static_cast<double>(std::max<std::size_t>(v.size() - 1, 1));
  auto x = [&](double i) { return kLeft + (kW - kLeft - kRight) * i / n; };
  auto y = [&](double val) { return kTop + (kH - kTop - kBottom) * (1 - (val - lo) / (hi - lo)); };
  std::string svg =
      fmt::format(R"(<svg width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">)",
                  kW, kH, kW, kH, html_escape(s.key + " " + s.metric));
  for (const auto& b : bs) {
    svg += fmt::format(
        R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#9ecae1" opacity="0.35"><title>between-run band: {:.4g} to {:.4g}</title></rect>)",
        x(static_cast<double>(b.begin) - 0.3), y(b.hi),
        x(static_cast<double>(b.end - 1) + 0.3) - x(static_cast<double>(b.begin) - 0.3),
        y(b.lo) - y(b.hi), b.lo, b.hi);
  }
  for (const auto& [c, machine] : found) {
    const double cx = x(static_cast<double>(c.index) - 0.5);
    svg += fmt::format(
        R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="{7}" stroke-dasharray="4 3"><title>step {3:+.1f}% at run {4} (commit {5}), confidence {6:.1f}%{8}</title></line>)",
        cx, kTop, kH - kBottom, c.change() * 100, s.points[c.index].run_id,
        html_escape(s.points[c.index].commit), (1 - c.p_value) * 100,
        machine.empty() ? "#d62728" : "#7f7f7f",
        machine.empty() ? "" : "; " + html_escape(machine));
  }
  std::string path;
  for (std::size_t i = 0; i < v.size(); ++i)
    path += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : " L", x(static_cast<double>(i)), y(v[i]));
  svg += fmt::format(R"(<path d="{}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>)", path);
  for (std::size_t i = 0; i < v.size(); ++i) {
    svg += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="#1f77b4"><title>run {} commit {} ({}): {:.6g}</title></circle>)",
        x(static_cast<double>(i)), y(v[i]), s.points[i].run_id, html_escape(s.points[i].commit),
        html_escape(s.points[i].added_at), v[i]);
  }
  svg += fmt::format(
      R"(<text x="4" y="{:.1f}" font-size="10">{:.4g}</text><text x="4" y="{:.1f}" font-size="10">{:.4g}</text>)",
      y(hi) + 10, hi, y(lo), lo);
  svg += fmt::format(
      R"(<text x="{:.1f}" y="{}" font-size="10">run {}</text><text x="{:.1f}" y="{}" font-size="10" text-anchor="end">run {}</text>)",
      kLeft, kH - 6, s.points.front().run_id, kW - kRight, kH - 6, s.points.back().run_id);
  return svg + "</svg>";
}

// cpus_left comes from other_load_pct, counted in 10 ms ticks: its mean over a stretch of runs
// moves by a few percent with nothing else running.
constexpr double kCpusLeftTolerance = 0.1;
// How CPUs left turn into speed depends on the scheduler and the workload (two workers beside a
// busy loop on one CPU: 1.2 CPUs left of 2, 0.56x the rate, 7% below proportional): a step it
// explains is within this much of proportional to the CPUs left.
constexpr double kCpusLeftSlack = 0.15;

}  // namespace

// The step at all[k] explained by the machine (SeriesStep::machine), or "".
std::string machine_step(const Series& s, const std::vector<ChangePoint>& all, std::size_t k,
                         const std::vector<MachineSeries>& machine, double tolerance) {
  const std::size_t begin = k == 0 ? 0 : all[k - 1].index;
  const std::size_t at = all[k].index;
  const std::size_t end = k + 1 < all.size() ? all[k + 1].index : s.points.size();
  for (const auto& m : machine) {
    const auto mean = [&](std::size_t from, std::size_t to) -> std::optional<double> {
      double sum = 0;
      int n = 0;
      for (std::size_t i = from; i < to; ++i) {
        if (const auto it = m.by_run.find(s.points[i].run_id); it != m.by_run.end()) {
          sum += it->second;
          ++n;
        }
      }
      return n > 0 ? std::optional(sum / n) : std::nullopt;
    };
    const auto before = mean(begin, at), after = mean(at, end);
    if (!before || !after || *before <= 0) continue;
    const double ratio = *after / *before;
    if (m.measure == kCpusLeftMetric) {
      // Other processes took (or gave back) more than a tenth of the case's CPUs, the same way as
      // the step, and the step is about proportional to the CPUs left: a 3x slowdown does not
      // come of losing an eighth of them.
      if (worse(s, all[k]) ? ratio >= 1 - kCpusLeftTolerance : ratio <= 1 + kCpusLeftTolerance)
        continue;
      const auto adjusted = change_at_equal_capacity(all[k].change() + 1, s.direction, ratio);
      if (!adjusted || std::abs(*adjusted) > std::max(tolerance, kCpusLeftSlack)) continue;
      return fmt::format(
          "disturbed: other processes left the case {:.2f} CPUs against {:.2f} before "
          "(cpus_left), {:+.1f}% in proportion to them; not judged",
          *after, *before, *adjusted * 100);
    }
    const auto adjusted =
        change_at_equal_machine(m.measure, all[k].change() + 1, s.direction, ratio);
    if (!adjusted || std::abs(*adjusted) > tolerance) continue;
    return fmt::format("disturbed: the machine gave the case {}, {:+.1f}% at equal {}; not judged",
                       machine_figures(m.measure, *after, *before, "before"), *adjusted * 100,
                       m.measure == kThroughputMetric ? "throughput" : "capacity");
  }
  return "";
}

bool worse(const Series& s, const ChangePoint& c) {
  return s.direction == Direction::HigherIsBetter ? c.change() < 0 : c.change() > 0;
}

MachineByCase machine_by_case(const std::vector<Series>& all) {
  MachineByCase out;
  for (const auto& s : all) {
    if (!is_machine_metric(s.metric)) continue;
    auto& m = out[s.key].emplace_back(MachineSeries{s.metric, {}});
    for (const auto& p : s.points) m.by_run[p.run_id] = p.value;
  }
  return out;
}

std::vector<SeriesStep> series_steps(const Series& s, const ChangePointOptions& options,
                                     double min_effect, const MachineByCase& machine,
                                     double tolerance) {
  if (s.points.size() < 2 * options.min_size) return {};
  std::vector<double> values;
  for (const auto& p : s.points) values.push_back(p.value);
  const auto all = find_change_points(values, options);
  const auto m = machine.find(s.key);
  const bool judged = m != machine.end() && !is_machine_metric(s.metric);
  std::vector<SeriesStep> out;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (std::abs(all[k].change()) < min_effect) continue;
    out.push_back({all[k], judged ? machine_step(s, all, k, m->second, tolerance) : ""});
  }
  return out;
}

std::string history_report_html(const std::vector<Series>& series,
                                const std::vector<HistoryRun>& runs,
                                const ChangePointOptions& options, double min_effect,
                                const MachineByCase& machine, double tolerance,
                                const std::string& db_name) {
  std::string body;
  std::size_t stepped = 0;
  for (const auto& s : series) {
    std::vector<double> v;
    for (const auto& p : s.points) v.push_back(p.value);
    const auto steps = series_steps(s, options, min_effect, machine, tolerance);
    if (!steps.empty()) ++stepped;
    std::string notes;
    for (const auto& [c, why_machine] : steps) {
      notes += fmt::format(
          "<li>step {:+.1f}% at run {} (commit <code>{}</code>), confidence "
          "{:.1f}%{}</li>",
          c.change() * 100, s.points[c.index].run_id, html_escape(s.points[c.index].commit),
          (1 - c.p_value) * 100, why_machine.empty() ? "" : ": " + html_escape(why_machine));
    }
    body += fmt::format(
        "<section><h2>{} <small>{} ({} is better), {} runs</small></h2>{}<ul>{}</ul></section>\n",
        html_escape(s.key), html_escape(s.metric),
        s.direction == Direction::HigherIsBetter ? "higher" : "lower", v.size(), plot(s, steps),
        notes.empty() ? "<li>no change point</li>" : notes);
  }
  std::string table =
      "<table><tr><th>run</th><th>added</th><th>commit</th><th>branch</th><th>host</th></tr>";
  for (const auto& r : runs) {
    table += fmt::format(
        "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", r.id,
        html_escape(r.added_at), html_escape(r.commit), html_escape(r.branch), html_escape(r.host));
  }
  table += "</table>";
  return fmt::format(
      R"(<!doctype html><html lang="en"><head><meta charset="utf-8"><title>parbench history</title>
<style>body{{font-family:sans-serif;margin:1.5em;max-width:60em}}h2{{font-size:1em;margin-bottom:.2em}}
small{{color:#555;font-weight:normal}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}
section{{margin-bottom:1.2em}}ul{{margin-top:.2em}}</style></head><body>
<h1>parbench history: {}</h1>
<p>{} series, {} with a change point (E-Divisive means, permutation test at alpha {}, {} permutations;
steps under {:.0f}% left out). The blue band is mean ± 2 standard deviations of the runs between
change points; hover a point for its run and commit.</p>
{}<h2>Runs</h2>{}</body></html>
)",
      html_escape(db_name), series.size(), stepped, options.alpha, options.permutations,
      min_effect * 100, body, table);
}

}  // namespace parbench
