#pragma once
// Descriptive statistics over repetitions. Conventions (documented in reports/README.md):
// quantiles interpolate linearly between order statistics (type 7, as numpy and R default);
// stddev is the sample standard deviation (n-1); the 95% interval is for the median, from order
// statistics (distribution-free), and exists only from 6 values on.
#include <optional>
#include <span>
#include <vector>

namespace parbench {

// q in [0, 1] over values sorted ascending; NaN for an empty span.
double quantile_sorted(std::span<const double> sorted, double q);

struct Interval {
  double lo = 0;
  double hi = 0;
};

// The distribution-free 95% confidence interval of the median: [x(k), x(n+1-k)] with the largest
// k whose binomial coverage is still >= 95%. nullopt when n < 6 (no such k).
std::optional<Interval> median_ci95_sorted(std::span<const double> sorted);

struct Summary {
  std::size_t n = 0;
  double min = 0, max = 0, median = 0, mean = 0, stddev = 0, cv = 0, p95 = 0;
  std::optional<Interval> ci95;
};

// nullopt for no values. stddev and cv are 0 for a single value.
std::optional<Summary> summarize(std::vector<double> values);

// Jain's fairness index of per-worker counts: (sum x)^2 / (n sum x^2); 1 when all are equal, 1/n
// when one worker has everything, 1 for no counts at all.
double jain_index(std::span<const double> counts);

// The median (type 7, as above); nullopt for no values.
std::optional<double> median_of(std::vector<double> values);

// The two-sided Mann-Whitney U test (Wilcoxon rank-sum) of "a and b come from one distribution",
// without assuming any shape. u is a's statistic: the pairs (x in a, y in b) with x > y, plus half
// the ties. The p-value is exact (the permutation distribution of U) when there are no ties and
// |a|·|b| <= 2500; otherwise the normal approximation with tie correction and continuity
// correction (as scipy.stats.mannwhitneyu, method="asymptotic"). p is 1 when either side is empty.
struct RankTest {
  double u = 0;
  double p = 1;
  bool exact = false;
};
RankTest mann_whitney_u(std::span<const double> a, std::span<const double> b);

}  // namespace parbench
