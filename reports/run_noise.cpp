#include "run_noise.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "stats.hpp"

namespace parbench {
namespace {

constexpr double kMedianAbsNormalDiff = 0.9539;  // median of |X1 - X2| for X ~ N(0, 1)
constexpr double kMinAshmanD = 2;
constexpr double kMinBimodality = 5.0 / 9;
constexpr std::size_t kMinSwitches = 4;

struct Moments {
  double mean = 0, var = 0;
};

Moments moments(std::span<const double> v) {
  Moments m;
  m.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  for (double x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size());
  return m;
}

// The bimodality coefficient (g1^2 + 1) / (g2 + 3(n-1)^2 / ((n-2)(n-3))) with the sample skewness
// g1 and excess kurtosis g2 corrected for small samples; above 5/9 (a uniform distribution's value)
// the sample points to two modes.
double bimodality_coefficient(std::span<const double> v) {
  const auto n = static_cast<double>(v.size());
  const Moments m = moments(v);
  if (m.var <= 0) return 0;
  double m3 = 0, m4 = 0;
  for (double x : v) {
    const double d = x - m.mean;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  const double g1 = m3 / n / std::pow(m.var, 1.5);
  const double g2 = m4 / n / (m.var * m.var) - 3;
  const double skew = g1 * std::sqrt(n * (n - 1)) / (n - 2);
  const double kurt = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6);
  return (skew * skew + 1) / (kurt + 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3)));
}

// The two-level split of `logs` (in time order) with the smallest within-group sum of squares, and
// whether it makes a flipping series.
void find_levels(const std::vector<double>& logs, double min_gap, RunNoise& out) {
  std::vector<double> sorted = logs;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  const std::size_t least = std::max<std::size_t>(3, (n + 4) / 5);
  if (n < 2 * least || bimodality_coefficient(logs) <= kMinBimodality) return;
  std::size_t best_k = 0;
  double best_ss = INFINITY;
  for (std::size_t k = least; k + least <= n; ++k) {
    const auto lo = moments({sorted.data(), k});
    const auto hi = moments({sorted.data() + k, n - k});
    const double ss = lo.var * static_cast<double>(k) + hi.var * static_cast<double>(n - k);
    if (ss < best_ss) {
      best_ss = ss;
      best_k = k;
    }
  }
  const auto lo = moments({sorted.data(), best_k});
  const auto hi = moments({sorted.data() + best_k, n - best_k});
  const double spread = std::sqrt(lo.var + hi.var);
  const double d = spread > 0 ? std::sqrt(2.0) * (hi.mean - lo.mean) / spread : INFINITY;
  if (d <= kMinAshmanD || std::exp(hi.mean - lo.mean) - 1 <= min_gap) return;
  const double cut = sorted[best_k];  // the smallest value of the high level
  std::size_t switches = 0;
  for (std::size_t i = 1; i < logs.size(); ++i) {
    if ((logs[i] >= cut) != (logs[i - 1] >= cut)) ++switches;
  }
  if (switches < kMinSwitches) return;
  out.unstable = true;
  out.switches = switches;
  const auto split = sorted.begin() + static_cast<std::ptrdiff_t>(best_k);
  out.low = std::exp(*median_of(std::vector<double>(sorted.begin(), split)));
  out.high = std::exp(*median_of(std::vector<double>(split, sorted.end())));
  // Sample standard deviations (n - 1): a level may hold as few as 3 runs.
  const auto sample_sd = [](const Moments& m, std::size_t k) {
    return std::sqrt(m.var * static_cast<double>(k) / static_cast<double>(k - 1));
  };
  out.low_sigma = sample_sd(lo, best_k);
  out.high_sigma = sample_sd(hi, n - best_k);
}

}  // namespace

double RunNoise::threshold(double sigmas) const {
  return std::expm1(sigmas * std::sqrt(2.0) * sigma);
}

double RunNoise::level_threshold(bool low_level, double sigmas) const {
  return std::expm1(sigmas * std::sqrt(2.0) * (low_level ? low_sigma : high_sigma));
}

std::string RunNoise::describe() const {
  if (unstable) {
    return fmt::format(
        "unstable between runs: two levels {:.4g} and {:.4g}, {} switches in {} runs", low, high,
        switches, runs);
  }
  return fmt::format("between-run sd {:.1f}% over {} runs", std::expm1(sigma) * 100, runs);
}

std::optional<RunNoise> between_run_noise(std::span<const double> values, double min_gap) {
  std::vector<double> logs;
  for (double v : values) {
    if (v > 0 && std::isfinite(v)) logs.push_back(std::log(v));
  }
  if (logs.size() < kMinNoiseRuns) return std::nullopt;
  RunNoise out;
  out.runs = logs.size();
  std::vector<double> ranges;
  for (std::size_t i = 1; i < logs.size(); ++i) ranges.push_back(std::abs(logs[i] - logs[i - 1]));
  out.sigma = *median_of(ranges) / kMedianAbsNormalDiff;
  find_levels(logs, min_gap, out);
  return out;
}

}  // namespace parbench
