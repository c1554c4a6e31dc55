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

namespace {

// P(U <= u) under the null hypothesis for sizes m and n, from the counts of arrangements: the
// number of orderings of m a's and n b's with statistic exactly k satisfies
// c(m, n, k) = c(m - 1, n, k - n) + c(m, n - 1, k) (the largest element is an a, or a b).
double exact_cdf(std::size_t m, std::size_t n, double u) {
  const std::size_t max_u = m * n;
  // counts[j][k] for the current i (a's) and j (b's), built up over i.
  std::vector<std::vector<double>> prev(n + 1, std::vector<double>(max_u + 1, 0.0));
  for (std::size_t j = 0; j <= n; ++j) prev[j][0] = 1;  // no a's: one ordering, U = 0
  for (std::size_t i = 1; i <= m; ++i) {
    std::vector<std::vector<double>> cur(n + 1, std::vector<double>(max_u + 1, 0.0));
    cur[0][0] = 1;  // no b's: U = 0
    for (std::size_t j = 1; j <= n; ++j) {
      for (std::size_t k = 0; k <= i * j; ++k) {
        const double a_last =
            k >= j ? prev[j][k - j] : 0.0;  // the largest is an a: beats all j b's
        cur[j][k] = a_last + cur[j - 1][k];
      }
    }
    prev = std::move(cur);
  }
  double total = 0, below = 0;
  for (std::size_t k = 0; k <= max_u; ++k) {
    total += prev[n][k];
    if (static_cast<double>(k) <= u + 1e-9) below += prev[n][k];
  }
  return below / total;
}

}  // namespace

RankTest mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  RankTest r;
  const std::size_t m = a.size(), n = b.size();
  if (m == 0 || n == 0) return r;
  // Ranks of the pooled sample, ties sharing their average rank.
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(m + n);
  for (double x : a) pooled.emplace_back(x, true);
  for (double y : b) pooled.emplace_back(y, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& l, const auto& h) { return l.first < h.first; });
  double rank_sum_a = 0, tie_term = 0;
  bool ties = false;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    const auto t = static_cast<double>(j - i);
    if (j - i > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second) rank_sum_a += avg_rank;
    }
    i = j;
  }
  const auto dm = static_cast<double>(m), dn = static_cast<double>(n);
  r.u = rank_sum_a - dm * (dm + 1) / 2;
  if (!ties && m * n <= 2500) {
    r.exact = true;
    const double lower = exact_cdf(m, n, r.u);
    const double upper = 1 - exact_cdf(m, n, r.u - 1);  // P(U >= u)
    r.p = std::min(1.0, 2 * std::min(lower, upper));
    return r;
  }
  const double total = dm + dn;
  const double mean = dm * dn / 2;
  const double var = dm * dn / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (var <= 0) return r;  // every value equal: no evidence of a difference
  const double z = std::max(0.0, std::abs(r.u - mean) - 0.5) / std::sqrt(var);
  r.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return quantile_sorted(values, 0.5);
}

double jain_index(std::span<const double> counts) {
  double sum = 0, sum_sq = 0;
  for (double c : counts) {
    sum += c;
    sum_sq += c * c;
  }
  return sum_sq > 0 ? sum * sum / (static_cast<double>(counts.size()) * sum_sq) : 1.0;
}

}  // namespace parbench
