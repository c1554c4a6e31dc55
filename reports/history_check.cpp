#include "history_check.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "run_noise.hpp"

namespace parbench {
namespace {

// A lower (better) figure is made comparable to a higher-is-better one: log value, sign flipped.
double goodness(const Series& s, double value) {
  return s.direction == Direction::HigherIsBetter ? std::log(value) : -std::log(value);
}

std::vector<double> values_of(const Series& s, std::size_t end) {
  std::vector<double> v;
  for (std::size_t i = 0; i < end; ++i) v.push_back(s.points[i].value);
  return v;
}

double mean(const std::vector<double>& v, std::size_t begin, std::size_t end) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(begin),
                         v.begin() + static_cast<std::ptrdiff_t>(end), 0.0) /
         static_cast<double>(end - begin);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The newest runs judged against the level before them (see the header): the longest tail of at
// most kMaxTail runs, every one worse than the level by more than the band, after a run that is
// not (the level's own last run).
constexpr std::size_t kMaxTail = 5;
constexpr std::size_t kLevelRuns = 5;

void find_suspect(const Series& s, const MachineByCase& machine, const HistoryCheckOptions& o,
                  SeriesVerdict& out) {
  const std::size_t n = s.points.size();
  for (std::size_t t = std::min(kMaxTail, n); t >= 1; --t) {
    const std::size_t r = n - t;
    if (r < kMinNoiseRuns || is_accepted(s.points[r].commit, o.accepted)) continue;
    const std::vector<double> before = values_of(s, r);
    const auto noise = between_run_noise(before, o.gate_effect);
    if (!noise || noise->unstable) continue;
    // The level: the newest runs before the tail, back to the last step found among them.
    const auto steps = find_change_points(before, o.change_points);
    const std::size_t from =
        std::max(steps.empty() ? 0 : steps.back().index, r - std::min(r, kLevelRuns));
    if (r - from < 3) continue;
    const double level = median({before.begin() + static_cast<std::ptrdiff_t>(from), before.end()});
    const double band = std::max(o.gate_effect, noise->threshold(o.sigmas));
    const auto beyond = [&](double value) {
      return goodness(s, level) - goodness(s, value) > std::log1p(band);
    };
    if (beyond(before.back())) continue;  // the tail starts earlier, or is no tail
    const bool all = std::all_of(s.points.begin() + static_cast<std::ptrdiff_t>(r), s.points.end(),
                                 [&](const SeriesPoint& p) { return beyond(p.value); });
    if (!all) continue;
    out.suspect_at = r;
    out.suspect_level = level;
    out.band = band;
    // The machine's doing, by the same rules as a step's: the tail against the runs before it.
    if (const auto m = machine.find(s.key); m != machine.end() && !is_machine_metric(s.metric)) {
      const double tail = mean(values_of(s, n), r, n);
      const std::vector<ChangePoint> as_step = {{r, 0, mean(before, 0, r), tail}};
      out.suspect_machine = machine_step(s, as_step, 0, m->second, o.gate_effect);
    }
    return;
  }
}

// The regression step the newest level has not recovered from (see the header).
void find_held(const Series& s, std::size_t end, const HistoryCheckOptions& o, SeriesVerdict& out) {
  const auto& steps = out.steps;
  if (steps.empty()) return;
  const std::vector<double> v = values_of(s, end);
  const auto noise = between_run_noise(v, o.gate_effect);
  const double sigma = noise && !noise->unstable ? noise->sigma : 0;
  std::size_t first = 0;  // steps before an accepted one are the past
  for (std::size_t k = 0; k < steps.size(); ++k) {
    if (is_accepted(s.points[steps[k].at.index].commit, o.accepted)) first = k + 1;
  }
  const std::size_t newest_from = steps.back().at.index;
  for (std::size_t k = first; k < steps.size(); ++k) {
    const SeriesStep& step = steps[k];
    if (!step.machine.empty() || !worse(s, step.at)) continue;
    const std::size_t begin = k == 0 ? 0 : steps[k - 1].at.index;
    const double before = mean(v, begin, step.at.index);
    double newest = mean(v, newest_from, end);
    // What the machine took (or gave) in later steps is not the code's.
    for (std::size_t j = k + 1; j < steps.size(); ++j) {
      if (!steps[j].machine.empty()) newest /= 1 + steps[j].at.change();
    }
    const double loss = goodness(s, before) - goodness(s, newest);
    const auto n1 = static_cast<double>(step.at.index - begin);
    const auto n2 = static_cast<double>(end - newest_from);
    // A regression that fails the check is one compare would gate (gate_effect): smaller steps
    // are printed, not failed (A/A runs here step by 2-3% now and then).
    const double needed = std::max(std::log1p(std::max(o.min_effect, o.gate_effect)),
                                   3 * sigma * std::sqrt(1 / n1 + 1 / n2));
    if (loss > needed) {
      out.held_step = k;
      out.accepted_level = before;
      out.newest_level = newest;
      return;
    }
  }
}

}  // namespace

bool is_accepted(const std::string& commit, const std::vector<std::string>& accepted) {
  return !commit.empty() && std::any_of(accepted.begin(), accepted.end(), [&](const auto& a) {
    return !a.empty() && (commit.starts_with(a) || a.starts_with(commit));
  });
}

SeriesVerdict check_series(const Series& s, const MachineByCase& machine,
                           const HistoryCheckOptions& options) {
  SeriesVerdict out;
  if (s.points.empty()) return out;
  find_suspect(s, machine, options, out);
  // Steps only among the runs before a suspect: an outlying newest run would pull one onto an
  // older commit.
  Series before = s;
  if (out.suspect_at) before.points.resize(*out.suspect_at);
  out.steps =
      series_steps(before, options.change_points, options.min_effect, machine, options.gate_effect);
  find_held(before, before.points.size(), options, out);
  return out;
}

}  // namespace parbench
