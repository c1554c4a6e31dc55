// The regression gate: the Mann-Whitney U test against values computed independently (by
// enumerating every arrangement), the verdict rules on made-up repetitions, and the gate on real
// runs: an A/A pair is quiet, an injected 20% slowdown is flagged, on that case only.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "bad_input.hpp"
#include "compare.hpp"
#include "compare_fixtures.hpp"
#include "report_meta.hpp"
#include "rows_csv.hpp"
#include "run_noise.hpp"
#include "stats.hpp"
#include "support.hpp"

using namespace parbench;
using namespace parbench::compare_fixtures;
namespace fs = std::filesystem;

TEST_CASE("Mann-Whitney U and its p-value match values from full enumeration", "[stats][compare]") {
  using V = std::vector<double>;
  struct Known {
    V a, b;
    double u, p;
    bool exact;
  };
  // p-values of the exact cases: the share of all C(m+n, m) splits of the pooled sample whose U is
  // at least as extreme, counted by brute force; the tied case is the normal approximation with
  // tie and continuity corrections, worked by hand from its formula.
  const std::vector<Known> known = {
      {{19, 22, 16, 29, 24}, {20, 11, 17, 12}, 17, 0.1111111111111111, true},
      {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 0, 0.007936507936507936, true},
      {{1.5, 2.5, 9.0, 4.0, 7.5, 3.0}, {5, 6, 8, 10, 11, 12, 13}, 5, 0.022144522144522144, true},
      {{1, 2, 2, 3, 3, 3, 4, 5, 6, 7},
       {3, 4, 4, 5, 6, 6, 7, 8, 9, 9},
       18.5,
       0.018127431043403787,
       false},
  };
  for (const auto& k : known) {
    const RankTest t = mann_whitney_u(k.a, k.b);
    REQUIRE(t.u == Approx(k.u));
    REQUIRE(t.p == Approx(k.p).epsilon(1e-9));
    REQUIRE(t.exact == k.exact);
    // Swapping the samples mirrors U and keeps the two-sided p.
    const RankTest s = mann_whitney_u(k.b, k.a);
    REQUIRE(s.u == Approx(static_cast<double>(k.a.size() * k.b.size()) - k.u));
    REQUIRE(s.p == Approx(k.p).epsilon(1e-9));
  }
  REQUIRE(mann_whitney_u(V{}, V{1, 2}).p == 1);
  REQUIRE(mann_whitney_u(V{3, 3, 3}, V{3, 3}).p == 1);  // all tied: no evidence at all
  // 3 against 3 can never be significant at 0.01: the smallest two-sided p is 2/20.
  REQUIRE(mann_whitney_u(V{1, 2, 3}, V{4, 5, 6}).p == Approx(0.1));
}

TEST_CASE("a profile column can be the gated metric, a counter absent on both sides is refused",
          "[compare]") {
  auto with_instructions = [](std::vector<Row> rows, std::int64_t base) {
    std::int64_t i = 0;
    for (auto& r : rows) r.instructions = base + 1000 * (i++ % 5);
    return rows;
  };
  CompareOptions o;
  o.metrics = {"instructions"};
  const auto c = compare_rows(with_instructions(reps("thread", around(100)), 10'000'000),
                              with_instructions(reps("thread", around(100)), 11'000'000), o);
  REQUIRE(c.items.size() == 1);
  REQUIRE(c.items[0].metric == "instructions");
  REQUIRE(c.items[0].direction == Direction::LowerIsBetter);
  REQUIRE(c.items[0].verdict == Verdict::Regressed);
  // A machine without hardware counters has empty cells: nothing to compare, not a zero, and a
  // gate that compared nothing refuses instead of passing.
  REQUIRE_THROWS_WITH(compare_rows(reps("thread", around(100)), reps("thread", around(100)), o),
                      Catch::Contains("nothing to compare"));
}

TEST_CASE("regressed needs both significance and the minimum effect, direction counts",
          "[compare]") {
  CompareOptions o;
  SECTION("a clear 20% slowdown is a regression of work per second") {
    const auto c = compare_rows(reps("thread", around(100)), reps("thread", around(120)), o);
    REQUIRE(c.items.size() == 1);
    REQUIRE(c.items[0].metric == "work_per_s");
    REQUIRE(c.items[0].verdict == Verdict::Regressed);
    REQUIRE(c.items[0].change == Approx(100.0 / 120 - 1).epsilon(1e-3));
    REQUIRE(c.regressed());
  }
  SECTION("significant but smaller than the minimum effect is unchanged") {
    const auto c =
        compare_rows(reps("thread", around(100, 0.01)), reps("thread", around(102, 0.01)), o);
    REQUIRE(c.items[0].p < 0.01);
    REQUIRE(c.items[0].verdict == Verdict::Unchanged);
    o.min_effect_for["work_per_s"] = 0.01;
    REQUIRE(compare_rows(reps("thread", around(100, 0.01)), reps("thread", around(102, 0.01)), o)
                .items[0]
                .verdict == Verdict::Regressed);
  }
  SECTION("a big change in medians that the repetitions cannot support is unchanged") {
    // Medians 10% apart, but the samples overlap heavily: not significant.
    const std::vector<double> a = {90, 130, 95, 125, 100, 120, 92, 128, 98, 110};
    const std::vector<double> b = {99, 140, 104, 135, 110, 131, 101, 139, 107, 121};
    const auto c = compare_rows(reps("thread", a), reps("thread", b), o);
    REQUIRE(c.items[0].p > 0.01);
    REQUIRE(c.items[0].verdict == Verdict::Unchanged);
  }
  SECTION("faster is an improvement, and lower-is-better metrics read the other way") {
    o.metrics = {"work_per_s", "wall_ns", "p99_ns"};
    const auto c = compare_rows(reps("thread", around(100)), reps("thread", around(80)), o);
    REQUIRE(c.items.size() == 3);
    for (const auto& m : c.items) REQUIRE(m.verdict == Verdict::Improved);
    REQUIRE_FALSE(c.regressed());
  }
  SECTION("a case that fails in the new report fails the gate") {
    auto bad = reps("thread", {100});
    bad[0].status = "error";
    bad[0].error = "wrong result: sum is 41";
    const auto c = compare_rows(reps("thread", around(100)), bad, o);
    REQUIRE(c.items[0].verdict == Verdict::Failed);
    REQUIRE(c.items[0].note == "wrong result: sum is 41");
    REQUIRE(c.regressed());
  }
  SECTION("few repetitions are a warning; cases are matched on backend and parameters") {
    auto base = reps("thread", {100, 101, 102});
    auto more = reps("process", around(100));
    base.insert(base.end(), more.begin(), more.end());
    const auto c = compare_rows(base, reps("thread", {120, 121, 122}), o);
    REQUIRE(c.items.size() == 1);
    REQUIRE(c.items[0].verdict == Verdict::Unchanged);  // 3 vs 3 cannot reach p < 0.01
    REQUIRE(c.only_in_base == 1);
    REQUIRE_THAT(c.warnings.at(0), Catch::Contains("fewer than 9 repetitions"));
  }
  SECTION("no common case is bad input; an ignored parameter is left out of the match") {
    const auto slow = reps("thread", around(120), 1e6, "20");
    REQUIRE_THROWS_AS(compare_rows(reps("thread", around(100)), slow, o), BadInput);
    o.ignore_params = {"extra_pct"};
    REQUIRE(compare_rows(reps("thread", around(100)), slow, o).items.at(0).verdict ==
            Verdict::Regressed);
  }
}

TEST_CASE("between-run noise: the spread from moving ranges, blind to a step, flips are unstable",
          "[compare][history]") {
  // Run-level values with a known lognormal spread, from a fixed generator.
  std::mt19937_64 gen(42);
  std::normal_distribution<double> normal(0, 1);
  auto series = [&](std::size_t n, double sd, double step_at_frac = 2, double step = 0) {
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i) {
      const double level =
          static_cast<double>(i) >= step_at_frac * static_cast<double>(n) ? step : 0;
      v.push_back(1e6 * std::exp(level + sd * normal(gen)));
    }
    return v;
  };
  REQUIRE_FALSE(between_run_noise(std::vector<double>{1, 2, 3, 4}).has_value());
  SECTION("the estimate is near the true spread") {
    int close = 0;
    for (int trial = 0; trial < 100; ++trial) {
      const auto n = between_run_noise(series(30, 0.02));
      REQUIRE(n);
      REQUIRE(n->runs == 30);
      if (n->sigma > 0.013 && n->sigma < 0.028) ++close;
    }
    // The median of 29 moving ranges: within -35%..+40% of the true 2% in 4 of 5 series.
    REQUIRE(close >= 80);
  }
  SECTION("a lasting 20% step in the history is a change, not spread and not a flip") {
    const auto n = between_run_noise(series(30, 0.01, 0.5, std::log(1.2)));
    REQUIRE(n);
    REQUIRE(n->sigma < 0.02);
    REQUIRE_FALSE(n->unstable);
    // A step and a return (a regression fixed) is not a flip either.
    auto v = series(30, 0.01);
    for (std::size_t i = 10; i < 20; ++i) v[i] *= 1.2;
    REQUIRE_FALSE(between_run_noise(v)->unstable);
  }
  SECTION("a series that keeps switching between two levels is unstable") {
    auto v = series(30, 0.01);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if ((i * 7) % 3 == 0) v[i] *= 1.25;  // a level 25% up, every third run or so
    }
    const auto n = between_run_noise(v);
    REQUIRE(n);
    REQUIRE(n->unstable);
    REQUIRE(n->switches >= 4);
    REQUIRE(n->high / n->low == Approx(1.25).epsilon(0.05));
    REQUIRE_THAT(n->describe(), Catch::Contains("two levels"));
    // Levels closer than min_gap are spread, not instability.
    REQUIRE_FALSE(between_run_noise(v, 0.3)->unstable);
  }
  SECTION("steady noise is not unstable") {
    int flagged = 0;
    for (int trial = 0; trial < 100; ++trial) {
      if (between_run_noise(series(30, 0.03))->unstable) ++flagged;
    }
    REQUIRE(flagged <= 2);
  }
}

TEST_CASE("compare with a history: the threshold widens to the spread between runs", "[compare]") {
  CompareOptions o;
  RunNoise noise;
  noise.runs = 20;
  o.between_runs = [&](const MetricComparison&) -> std::optional<RunNoise> { return noise; };
  // 10 repetitions each side, medians 8% apart: significant on the repetitions.
  const auto base = reps("thread", around(100));
  const auto slower = reps("thread", around(108));
  SECTION("the default rate between runs is the steadier one in the history") {
    noise.sigma = 0.002;
    REQUIRE(compare_rows(base, slower, o).items.at(0).metric == "work_per_s");  // a tie
    o.between_runs = [&](const MetricComparison& m) -> std::optional<RunNoise> {
      RunNoise n = noise;
      if (m.metric == "work_per_s") n.sigma = 0.02;
      return n;
    };
    const auto c = compare_rows(base, slower, o);
    REQUIRE(c.items.size() == 1);
    REQUIRE(c.items[0].metric == "best_work_per_s");
    REQUIRE(std::isnan(c.items[0].p));  // one figure a side: no test, the threshold alone
    REQUIRE(c.items[0].base_median == Approx(1e6 / 0.0995));
    REQUIRE(c.items[0].min_effect == Approx(0.05));  // the spread is below the minimum effect
    REQUIRE(c.items[0].verdict == Verdict::Regressed);
    REQUIRE_THAT(c.items[0].note, Catch::Contains("over 20 runs"));
  }
  SECTION("a case that moves 3% between runs needs more than 8% to count") {
    noise.sigma = 0.03;
    o.metrics = {"work_per_s"};
    const auto c = compare_rows(base, slower, o);
    REQUIRE(c.items[0].p < 0.01);
    REQUIRE(c.items[0].min_effect == Approx(std::expm1(4 * std::sqrt(2.0) * 0.03)));
    REQUIRE(c.items[0].verdict == Verdict::Unchanged);
    REQUIRE(compare_rows(base, reps("thread", around(130)), o).items[0].verdict ==
            Verdict::Regressed);
  }
  SECTION("an unstable case is reported, never gated") {
    noise.unstable = true;
    noise.low = 1;
    noise.high = 2;
    noise.switches = 6;
    const auto c = compare_rows(base, reps("thread", around(200)), o);
    REQUIRE(c.items[0].verdict == Verdict::Unstable);
    REQUIRE_FALSE(c.regressed());
    REQUIRE_THAT(format_comparison_text(c),
                 Catch::Contains("1 unstable (within their levels) and 0 disturbed (not judged)"));
    REQUIRE(nlohmann::json::parse(format_comparison_json(c))["counts"]["unstable"] == 1);
    // Judged against its levels (1 and 2 here, far below the new value): not left unjudged.
    REQUIRE_FALSE(c.inconclusive());
  }
  SECTION("an unstable case is judged against its levels: past the worse one is a regression") {
    // The history flips between a rate of 1e7/s (100 ms a repetition) and 1.5e7/s, each level
    // with 1% of spread between runs.
    noise.unstable = true;
    noise.low = 1e7;
    noise.high = 1.5e7;
    noise.low_sigma = noise.high_sigma = 0.01;
    noise.switches = 6;
    o.metrics = {"work_per_s"};
    // On the low level, or between the levels: not gated.
    REQUIRE(compare_rows(base, reps("thread", around(66.7)), o).items[0].verdict ==
            Verdict::Unstable);
    REQUIRE(compare_rows(base, reps("thread", around(102)), o).items[0].verdict ==
            Verdict::Unstable);
    // Twice as slow as the slower level: it was passed green before.
    const auto c = compare_rows(base, reps("thread", around(200)), o);
    REQUIRE(c.items[0].verdict == Verdict::Regressed);
    REQUIRE(c.regressed());
    REQUIRE_THAT(c.items[0].note, Catch::Contains("past the worse level"));
    // 8% past it: beyond the level's band (4 sd of 1%: 5.8%), a regression too.
    REQUIRE(compare_rows(base, reps("thread", around(108.5)), o).items[0].verdict ==
            Verdict::Regressed);
  }
  SECTION("without history for a case the metric's minimum effect applies") {
    o.between_runs = [](const MetricComparison&) -> std::optional<RunNoise> {
      return std::nullopt;
    };
    o.metrics = {"work_per_s"};
    const auto c = compare_rows(base, slower, o);
    REQUIRE(c.items[0].min_effect == Approx(0.05));
    REQUIRE(c.items[0].verdict == Verdict::Regressed);
  }
}

TEST_CASE("a change that came with the machine's capacity moving the same way is disturbed",
          "[compare]") {
  const CompareOptions o;
  auto with_capacity = [](std::vector<Row> rows, double capacity) {
    for (auto& r : rows) r.machine_capacity = capacity;
    return rows;
  };
  const auto base = with_capacity(reps("thread", around(100)), 1.98);
  // Half the speed with half the capacity (two vCPUs on one host CPU): the machine's doing.
  auto c = compare_rows(base, with_capacity(reps("thread", around(200)), 1.0), o);
  REQUIRE(c.items.at(0).verdict == Verdict::Disturbed);
  REQUIRE_THAT(c.items[0].note, Catch::Contains("1.00x of capacity against 1.98x") &&
                                    Catch::Contains("explains the change"));
  // A slowdown larger than the capacity's drop is still a regression, and says so.
  const auto worse = compare_rows(base, with_capacity(reps("thread", around(150)), 1.8), o);
  REQUIRE(worse.items.at(0).verdict == Verdict::Regressed);
  REQUIRE_THAT(worse.items[0].note, Catch::Contains("at equal capacity"));
  REQUIRE_FALSE(c.regressed());
  REQUIRE_THAT(format_comparison_markdown(c), Catch::Contains(":warning: disturbed"));
  // Every comparison left unjudged: the gate could not tell, and does not pass as clean.
  REQUIRE(c.inconclusive());
  REQUIRE(c.exit_status() == 4);
  REQUIRE_THAT(format_comparison_text(c), Catch::Contains("INCONCLUSIVE: 1 of 1 comparisons"));
  REQUIRE(nlohmann::json::parse(format_comparison_json(c))["exit_status"] == 4);
  REQUIRE_THAT(format_comparison_markdown(c), Catch::StartsWith("### parbench: inconclusive"));
  CompareOptions any_share = o;
  any_share.max_excluded = 1;  // told that any share may be left unjudged
  REQUIRE(compare_rows(base, with_capacity(reps("thread", around(200)), 1.0), any_share)
              .exit_status() == 0);
  // The same slowdown on an undisturbed machine is a regression; so is one the machine ran
  // faster for.
  REQUIRE(
      compare_rows(base, with_capacity(reps("thread", around(200)), 1.96), o).items[0].verdict ==
      Verdict::Regressed);
  REQUIRE(compare_rows(base, with_capacity(reps("thread", around(200)), 2.5), o).items[0].verdict ==
          Verdict::Regressed);
  // Repetitions run at half speed are set aside: a 20% slowdown that half-speed repetitions on the
  // base side would hide from the U-test is still found.
  auto mixed = with_capacity(reps("thread", around(100)), 1.98);
  for (std::size_t i = 0; i < 4; ++i) {
    mixed[i].wall_ns = *mixed[i].wall_ns * 2;
    mixed[i].machine_capacity = 0.99;
  }
  const auto aside = compare_rows(mixed, with_capacity(reps("thread", around(120)), 1.97), o);
  REQUIRE(aside.items.at(0).verdict == Verdict::Regressed);
  REQUIRE(aside.items[0].base_n == 6);
  REQUIRE_THAT(aside.items[0].note, Catch::Contains("4 repetition(s) set aside"));
  // Reports without the probe (older ones) are judged as before.
  REQUIRE(
      compare_rows(reps("thread", around(100)), reps("thread", around(200)), o).items[0].verdict ==
      Verdict::Regressed);
  // Counts do not depend on the machine's speed: an instruction count that grew is a regression
  // whatever the probe said.
  CompareOptions counts;
  counts.metrics = {"instructions"};
  auto instructions = [&](double capacity, std::int64_t n) {
    auto rows = with_capacity(reps("thread", around(100)), capacity);
    for (auto& r : rows) r.instructions = n;
    return rows;
  };
  REQUIRE(
      compare_rows(instructions(1.98, 1000), instructions(1.0, 1100), counts).items[0].verdict ==
      Verdict::Regressed);
  // A faster run on a machine that had more to give is disturbed too, not an improvement.
  c = compare_rows(with_capacity(reps("thread", around(200)), 1.0), base, o);
  REQUIRE(c.items.at(0).verdict == Verdict::Disturbed);
}

TEST_CASE("a slowdown of throughput-bound work that the dependent chain cannot see is disturbed",
          "[compare]") {
  const CompareOptions o;
  // The run-wide episode of issue 30: every cpu_sum case at half speed while the latency-bound
  // chain read full capacity (a competing hyperthread on the host takes execution units, not
  // latency). The throughput half of the probe halves with it.
  auto probed = [](std::vector<Row> rows, double capacity, double throughput) {
    for (auto& r : rows) {
      r.machine_capacity = capacity;
      r.machine_throughput = throughput;
    }
    return rows;
  };
  const auto base = probed(reps("thread", around(100)), 0.98, 0.50);
  const auto c = compare_rows(base, probed(reps("thread", around(195)), 0.97, 0.26), o);
  REQUIRE(c.items.at(0).verdict == Verdict::Disturbed);
  REQUIRE_THAT(c.items[0].note,
               Catch::Contains("0.260 op/ns of throughput against 0.500 in the base "
                               "(machine_throughput), which explains the change"));
  // The chain alone (reports before the throughput half) called it a regression.
  auto chain_only = probed(reps("thread", around(195)), 0.97, 0.26);
  auto base_chain = base;
  for (auto* side : {&chain_only, &base_chain}) {
    for (auto& r : *side) r.machine_throughput.reset();
  }
  REQUIRE(compare_rows(base_chain, chain_only, o).items.at(0).verdict == Verdict::Regressed);
  // Throughput-bound code loses more than the probe's loop does (the episode measured here: the
  // code at 0.72x of its rate, the loop at 0.86x): within kThroughputElasticity, disturbed.
  REQUIRE(compare_rows(base, probed(reps("thread", around(100 / 0.72)), 0.98, 0.43), o)
              .items.at(0)
              .verdict == Verdict::Disturbed);
  // A slowdown past what the throughput explains is a regression, and says by how much.
  const auto worse = compare_rows(base, probed(reps("thread", around(150)), 0.97, 0.45), o);
  REQUIRE(worse.items.at(0).verdict == Verdict::Regressed);
  REQUIRE_THAT(worse.items[0].note, Catch::Contains("at equal throughput"));
  // Repetitions of a low throughput within a run are set aside like those of a low capacity.
  auto mixed = probed(reps("thread", around(100)), 0.98, 0.50);
  for (std::size_t i = 0; i < 4; ++i) {
    mixed[i].wall_ns = *mixed[i].wall_ns * 2;
    mixed[i].machine_throughput = 0.26;
  }
  const auto aside = compare_rows(mixed, probed(reps("thread", around(120)), 0.98, 0.50), o);
  REQUIRE(aside.items.at(0).verdict == Verdict::Regressed);
  REQUIRE(aside.items[0].base_n == 6);
}
