#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace parbench {

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::optional<Interval> median_ci95_sorted(std::span<const double> sorted) {
  const std::size_t n = sorted.size();
  if (n < 6) return std::nullopt;
  // P(X <= j) for X ~ Binomial(n, 1/2), accumulated in log space so large n cannot overflow.
  auto log_choose = [n](std::size_t j) {
    return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(j) + 1) -
           std::lgamma(static_cast<double>(n - j) + 1);
  };
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  double tail = 0;    // P(X <= k-1)
  std::size_t k = 0;  // 1-based order statistic; [x(k), x(n+1-k)] covers 1 - 2 P(X <= k-1)
  for (std::size_t j = 0; j < n / 2; ++j) {
    const double next = tail + std::exp(log_choose(j) + log_half_n);
    if (1.0 - 2.0 * next < 0.95) break;
    tail = next;
    k = j + 1;
  }
  if (k == 0) return std::nullopt;
  return Interval{sorted[k - 1], sorted[n - k]};
}

std::optional<Summary> summarize(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  Summary s;
  s.n = values.size();
  s.min = values.front();
  s.max = values.back();
  s.median = quantile_sorted(values, 0.5);
  s.p95 = quantile_sorted(values, 0.95);
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.n);
  if (s.n > 1) {
    double ss = 0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(s.n - 1));
  }
  s.cv = s.mean != 0 ? s.stddev / s.mean : 0;
  s.ci95 = median_ci95_sorted(values);
  return s;
}

}  // namespace parbench
