// `parbench ab`'s comparison: each round's candidate against the same round's baseline
// (compare.hpp, compare_paired).
#include <fmt/core.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>  // header-only: Debian's libboost-dev
#include <cmath>
#include <numeric>

#include "compare.hpp"
#include "compare_cases.hpp"
#include "stats.hpp"

namespace parbench {
namespace {

using compare_detail::CaseRows;

// One round's figure of a case: the median of its repetitions, or the fastest for best_work_per_s.
std::optional<double> round_value(const CaseRows& c, const std::string& metric) {
  const std::vector<double> v = compare_detail::values_of(c.ok, metric);
  if (v.empty()) return std::nullopt;
  if (metric == kBestWorkPerS) return *std::max_element(v.begin(), v.end());
  return median_of(v);
}

// Two-sided p of a one-sample t-test of `d` against 0; NaN (no test) for fewer than 2 values, 0
// (or 1) when they are all equal and not 0 (or 0).
double paired_t_p(const std::vector<double>& d) {
  const auto k = static_cast<double>(d.size());
  const double mean = std::accumulate(d.begin(), d.end(), 0.0) / k;
  if (d.size() < 2) return std::nan("");
  double ss = 0;
  for (double x : d) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / (k - 1));
  if (sd == 0) return mean == 0 ? 1.0 : 0.0;
  const double t = mean / (sd / std::sqrt(k));
  const boost::math::students_t dist(k - 1);
  return 2 * boost::math::cdf(boost::math::complement(dist, std::abs(t)));
}

// One metric of one case over the rounds in which both sides measured it.
void judge_paired(MetricComparison& m, const std::vector<double>& base,
                  const std::vector<double>& cand, const CompareOptions& options) {
  std::optional<Direction> dir;
  if (options.direction) dir = options.direction(m.workload, m.metric);
  m.direction = dir.value_or(compare_detail::default_direction(m.metric));
  std::vector<double> d;
  for (std::size_t i = 0; i < base.size(); ++i) d.push_back(std::log(cand[i] / base[i]));
  m.base_n = m.new_n = d.size();
  m.base_median = *median_of(base);
  m.new_median = *median_of(cand);
  m.change = std::expm1(std::accumulate(d.begin(), d.end(), 0.0) / static_cast<double>(d.size()));
  m.p = paired_t_p(d);
  const auto eff = options.min_effect_for.find(m.metric);
  m.min_effect = eff != options.min_effect_for.end() ? eff->second : options.min_effect;
  const bool significant = std::isnan(m.p) || m.p < options.alpha;
  const double worse = m.direction == Direction::LowerIsBetter ? m.change : -m.change;
  if (significant && worse > m.min_effect) m.verdict = Verdict::Regressed;
  if (significant && -worse > m.min_effect) m.verdict = Verdict::Improved;
  const auto [lo, hi] = std::minmax_element(d.begin(), d.end());
  m.note = fmt::format("paired over {} rounds: new/base {:+.1f}% to {:+.1f}%", d.size(),
                       std::expm1(*lo) * 100, std::expm1(*hi) * 100);
}

}  // namespace

Comparison compare_paired(const std::vector<std::vector<Row>>& base_rounds,
                          const std::vector<std::vector<Row>>& new_rounds,
                          const CompareOptions& options) {
  Comparison out;
  out.options = options;
  out.method = "paired t-test of the rounds' log ratios";
  const std::size_t rounds = std::min(base_rounds.size(), new_rounds.size());
  std::vector<std::map<std::string, CaseRows>> base, cand;
  for (std::size_t r = 0; r < rounds; ++r) {
    const bool by_host = compare_detail::distinct_hosts(base_rounds[r]) > 1 ||
                         compare_detail::distinct_hosts(new_rounds[r]) > 1;
    base.push_back(compare_detail::group(base_rounds[r], options.ignore_params, by_host));
    cand.push_back(compare_detail::group(new_rounds[r], options.ignore_params, by_host));
  }
  std::size_t common = 0, base_without_rows = 0;
  const std::map<std::string, CaseRows> none;
  for (const auto& entry : rounds > 0 ? base[0] : none) {
    const std::string& key = entry.first;  // a lambda below captures it: no structured binding
    const CaseRows& first = entry.second;
    if (!cand[0].contains(key)) continue;
    ++common;
    if (first.ok.empty()) {
      ++base_without_rows;
      continue;
    }
    const auto failed = std::find_if(cand.begin(), cand.end(), [&](const auto& round) {
      const auto it = round.find(key);
      return it == round.end() || it->second.ok.empty() || !it->second.first_error.empty();
    });
    if (failed != cand.end()) {
      MetricComparison m = compare_detail::item_for(key, first, "status");
      m.verdict = Verdict::Failed;
      const auto it = failed->find(key);
      m.note =
          it == failed->end() ? "missing from a round of the new side" : it->second.first_error;
      out.items.push_back(std::move(m));
      continue;
    }
    for (const auto& metric : compare_detail::metrics_for(first, options)) {
      std::vector<double> b, c;
      for (std::size_t r = 0; r < rounds; ++r) {
        const auto bi = base[r].find(key);
        if (bi == base[r].end()) continue;
        const auto x = round_value(bi->second, metric), y = round_value(cand[r].at(key), metric);
        if (x && y && *x > 0 && *y > 0) {
          b.push_back(*x);
          c.push_back(*y);
        }
      }
      if (b.empty()) continue;
      MetricComparison m = compare_detail::item_for(key, first, metric);
      judge_paired(m, b, c, options);
      out.items.push_back(std::move(m));
    }
  }
  compare_detail::check_compared(out, common, base_without_rows, options);
  return out;
}

}  // namespace parbench
