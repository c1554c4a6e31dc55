// Statistics against values computed by hand (and cross-checked with numpy's defaults).
#include <catch2/catch.hpp>
#include <cmath>

#include "stats.hpp"

using namespace parbench;

TEST_CASE("quantiles interpolate between order statistics", "[stats]") {
  const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  REQUIRE(quantile_sorted(v, 0.0) == 1);
  REQUIRE(quantile_sorted(v, 1.0) == 10);
  REQUIRE(quantile_sorted(v, 0.5) == Approx(5.5));
  REQUIRE(quantile_sorted(v, 0.95) == Approx(9.55));  // numpy.percentile(range(1,11), 95)
  REQUIRE(quantile_sorted(v, 0.25) == Approx(3.25));
  REQUIRE(std::isnan(quantile_sorted(std::vector<double>{}, 0.5)));
  REQUIRE(quantile_sorted(std::vector<double>{7}, 0.99) == 7);
}

TEST_CASE("summary of ten values", "[stats]") {
  const auto s = summarize({10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
  REQUIRE(s);
  REQUIRE(s->n == 10);
  REQUIRE(s->min == 1);
  REQUIRE(s->max == 10);
  REQUIRE(s->median == Approx(5.5));
  REQUIRE(s->mean == Approx(5.5));
  REQUIRE(s->stddev == Approx(std::sqrt(82.5 / 9)));  // sum of squared deviations 82.5, n-1 = 9
  REQUIRE(s->cv == Approx(std::sqrt(82.5 / 9) / 5.5));
  REQUIRE(s->p95 == Approx(9.55));
  // Distribution-free interval for n = 10: [x(2), x(9)], coverage 1 - 2*11/1024 = 97.9%.
  REQUIRE(s->ci95);
  REQUIRE(s->ci95->lo == 2);
  REQUIRE(s->ci95->hi == 9);
}

TEST_CASE("median confidence interval follows the binomial table", "[stats]") {
  auto ci = [](std::size_t n) {
    std::vector<double> v;
    for (std::size_t i = 1; i <= n; ++i) v.push_back(static_cast<double>(i));
    return median_ci95_sorted(v);
  };
  REQUIRE_FALSE(ci(5));  // 5 values can cover at most 93.75%
  REQUIRE(ci(6)->lo == 1);
  REQUIRE(ci(6)->hi == 6);
  REQUIRE(ci(20)->lo == 6);  // standard table: n = 20 -> [x(6), x(15)]
  REQUIRE(ci(20)->hi == 15);
  REQUIRE(ci(100)->lo == 40);  // n = 100 -> [x(40), x(61)]
  REQUIRE(ci(100)->hi == 61);
}

TEST_CASE("degenerate inputs", "[stats]") {
  REQUIRE_FALSE(summarize({}));
  const auto one = summarize({42});
  REQUIRE(one->median == 42);
  REQUIRE(one->stddev == 0);
  REQUIRE(one->cv == 0);
  REQUIRE_FALSE(one->ci95);
}
