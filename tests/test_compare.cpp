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
#include "report_meta.hpp"
#include "rows_csv.hpp"
#include "run_noise.hpp"
#include "stats.hpp"
#include "support.hpp"

using namespace parbench;
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

namespace {

std::vector<Row> reps(const std::string& backend, const std::vector<double>& wall_ms,
                      double work = 1e6, const std::string& extra = "0") {
  std::vector<Row> rows;
  int rep = 0;
  for (double ms : wall_ms) {
    Row r;
    r.workload = "cpu_sum";
    r.backend = backend;
    r.workers = 1;
    r.pin = "none";
    r.params = {{"n", "1000000"}, {"extra_pct", extra}};
    r.rep = ++rep;
    r.wall_ns = static_cast<std::int64_t>(ms * 1e6);
    r.work_units = work;
    r.metrics = {{"p99_ns", ms * 1000}};
    rows.push_back(r);
  }
  return rows;
}

std::vector<double> around(double ms, double step = 0.1) {
  std::vector<double> v;
  for (int i = 0; i < 10; ++i) v.push_back(ms + step * (i - 5));
  return v;
}

}  // namespace

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

TEST_CASE("the host matches cases only when a report holds several hosts", "[compare][merge]") {
  const CompareOptions o;
  const auto on = [](std::vector<Row> rows, const std::string& host) {
    for (auto& r : rows) r.host = host;
    return rows;
  };
  SECTION("one machine each: a baseline written on another machine still compares") {
    const auto c = compare_rows(on(reps("thread", around(100)), "ci-runner-1"),
                                on(reps("thread", around(120)), "ci-runner-7"), o);
    REQUIRE(c.items.size() == 1);
    REQUIRE(c.items[0].verdict == Verdict::Regressed);
  }
  SECTION("merged reports: each host against the same host") {
    auto base = on(reps("thread", around(100)), "a");
    auto base_b = on(reps("thread", around(300)), "b");
    base.insert(base.end(), base_b.begin(), base_b.end());
    auto fresh = on(reps("thread", around(100)), "a");
    auto fresh_b = on(reps("thread", around(360)), "b");  // only b got slower
    fresh.insert(fresh.end(), fresh_b.begin(), fresh_b.end());
    const auto c = compare_rows(base, fresh, o);
    REQUIRE(c.items.size() == 2);
    for (const auto& m : c.items) {
      INFO(m.case_key);
      REQUIRE(m.verdict ==
              (m.params.starts_with("host=b") ? Verdict::Regressed : Verdict::Unchanged));
    }
  }
}

TEST_CASE("compare formats: text, markdown for a pull request, JSON", "[compare]") {
  const auto c =
      compare_rows(reps("thread", around(100)), reps("thread", around(120)), CompareOptions{});
  REQUIRE_THAT(format_comparison_text(c),
               Catch::Contains("REGRESSED") && Catch::Contains("1 regressed"));
  const std::string md = format_comparison_markdown(c);
  REQUIRE_THAT(md, Catch::Contains("| --- |") && Catch::Contains("performance regression"));
  const auto j = nlohmann::json::parse(format_comparison_json(c));
  REQUIRE(j["regressed"] == true);
  REQUIRE(j["comparisons"][0]["verdict"] == "REGRESSED");
  REQUIRE(j["comparisons"][0]["better"] == "higher");
}

TEST_CASE("Google Benchmark JSON reports compare like rows reports", "[compare]") {
  test::TempDir dir;
  auto write = [&](const std::string& name, double base_ns) {
    nlohmann::json j;
    j["context"] = {{"library_build_type", "release"}};
    for (int i = 0; i < 10; ++i) {
      j["benchmarks"].push_back({{"name", "BM_lock/futex"},
                                 {"run_name", "BM_lock/futex"},
                                 {"run_type", "iteration"},
                                 {"repetitions", 10},
                                 {"real_time", (base_ns + i) / 1000},
                                 {"cpu_time", (base_ns + i) / 1000},
                                 {"time_unit", "us"}});
    }
    j["benchmarks"].push_back({{"name", "BM_lock/futex_mean"},
                               {"run_name", "BM_lock/futex"},
                               {"run_type", "aggregate"},
                               {"real_time", 1.0},
                               {"cpu_time", 1.0},
                               {"time_unit", "us"}});
    std::ofstream(dir.path() + "/" + name) << j.dump();
  };
  write("a.json", 20);
  write("b.json", 30);
  const auto a = read_report(dir.path() + "/a.json");
  REQUIRE(a.size() == 10);  // the aggregate is not a repetition
  REQUIRE(*a[0].metric("real_time_ns") == Approx(20));
  const auto c = compare_rows(a, read_report(dir.path() + "/b.json"), CompareOptions{});
  REQUIRE(c.items.size() == 2);  // real_time_ns and cpu_time_ns
  for (const auto& m : c.items) REQUIRE(m.verdict == Verdict::Regressed);
}

// [serial]: ctest runs it alone (tests/CMakeLists.txt), since a gate measured while other tests
// compete for this machine's two CPUs measures them.
TEST_CASE("the micro-benchmarks run under Google Benchmark and their JSON gates like a report",
          "[compare][micro]") {
  test::TempDir dir;
  for (const char* name : {"a.json", "b.json"}) {
    const auto e = test::run_program(
        {PARBENCH_MICRO_BINARY,
         "--benchmark_filter=BM_now_ns|BM_lock_unlock/futex_mutex|BM_send_recv_64B/pipe",
         "--benchmark_repetitions=3", "--benchmark_min_time=0.01", "--benchmark_out_format=json",
         "--benchmark_out=" + dir.path() + "/" + name});
    INFO(e.err);
    REQUIRE(e.status == 0);
  }
  const auto rows = read_report(dir.path() + "/a.json");
  REQUIRE(rows.size() == 9);  // 3 benchmarks x 3 repetitions; the aggregates left out
  const auto c = test::run_parbench(
      {"compare", dir.path() + "/a.json", dir.path() + "/b.json", "--format", "json"});
  // Whether two runs of these differ is this machine's noise: the exit status must be the one the
  // verdicts call for, whichever they are.
  const auto j = nlohmann::json::parse(c.out);
  bool regressed = false;
  for (const auto& m : j["comparisons"])
    regressed = regressed || m["verdict"] == "REGRESSED" || m["verdict"] == "FAILED";
  REQUIRE(j["regressed"] == regressed);
  REQUIRE(c.status == j["exit_status"]);
  REQUIRE(c.status == (regressed ? 1 : j["inconclusive"].get<bool>() ? 4 : 0));
  REQUIRE(j["comparisons"].size() == 6);  // real and CPU time of each benchmark
  REQUIRE_THAT(c.out, Catch::Contains("3 vs 3 repetitions"));
}

TEST_CASE("compare on the command line: exit 0 quiet, 1 regressed, 2 bad input with the line",
          "[compare][cli][serial]") {
  test::TempDir dir;
  const std::string& d = dir.path();
  SECTION("bad input") {
    std::ofstream(d + "/broken.csv") << csv_line(rows_header({})) << "cpu_sum\n";
    auto e = test::run_parbench({"compare", d + "/broken.csv", d + "/broken.csv"});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains("line 2"));
    std::ofstream(d + "/headless.csv") << "workload,backend\ncpu_sum\n";
    e = test::run_parbench({"compare", d + "/headless.csv", d + "/headless.csv"});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains("no column 'workers'"));
    e = test::run_parbench({"compare", d + "/missing", d + "/missing"});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains("no such report"));
    e = test::run_parbench({"compare", "--min-effect", "five", d + "/x", d + "/y"});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains("expected e.g. 5%"));
  }
  SECTION(
      "real runs, A/B interleaved: A/A is quiet, a 50% injected slowdown is flagged on its case "
      "only") {
    // The gate on CPU time, which moves least between identical runs on a shared VM.
    // Two cases per side (thread and process backend); the candidate computes 50% more terms than
    // it counts, on the process backend only. Episodes in which the host runs a vCPU at half speed
    // double the CPU time of some repetitions, so the injected change is larger than 20% and the
    // sides get 10 rounds (30 repetitions each).
    const std::string run =
        std::string(PARBENCH_BINARY) +
        " run cpu_sum --param n=2e7 --workers 1 --reps 3 --warmup 1 --quiet --out {out}";
    const std::string slow_process =
        std::string(PARBENCH_BINARY) +
        " run cpu_sum --param n=2e7 --param extra_pct=50 --backend process --workers "
        "1 --reps 3 --warmup 1 --quiet --out {out}.p && " +
        PARBENCH_BINARY +
        " run cpu_sum --param n=2e7 --backend thread --workers 1 --reps 3 --warmup 1 "
        "--quiet --out {out}.t && " +
        "(cat {out}.p.csv; tail -n +2 {out}.t.csv) > {out}.csv";
    auto aa = test::run_parbench({"ab", "--baseline", run, "--candidate", run, "--rounds", "10",
                                  "--metric", "cpu_ns", "--out", d + "/aa"});
    INFO(aa.out << aa.err);
    REQUIRE(aa.status == 0);
    REQUIRE_THAT(aa.out, Catch::Contains("0 regressed, 0 failed"));
    auto ab = test::run_parbench({"ab", "--baseline", run, "--candidate", slow_process, "--rounds",
                                  "10", "--ignore-param", "extra_pct", "--metric", "cpu_ns",
                                  "--format", "json", "--out", d + "/ab"});
    INFO(ab.out << ab.err);
    REQUIRE(ab.status == 1);
    const auto j = nlohmann::json::parse(ab.out);
    REQUIRE(j["counts"]["regressed"] == 1);
    for (const auto& m : j["comparisons"]) {
      REQUIRE(m["verdict"] == (m["backend"] == "process" ? "REGRESSED" : "unchanged"));
      if (m["backend"] == "process") REQUIRE(m["change"].get<double>() > 0.2);  // 50% more terms
    }
    // The pooled reports compare the same way afterwards.
    const auto again = test::run_parbench({"compare", d + "/ab/base.csv", d + "/ab/new",
                                           "--ignore-param", "extra_pct", "--metric", "cpu_ns"});
    INFO(again.out << again.err);
    REQUIRE(again.status == 1);
  }
}

// [count]: runs valgrind, which cannot run a sanitized binary; scripts/test.sh runs it with
// PARBENCH_COUNT_BINARY pointing at the Release build.
TEST_CASE("count: instructions inside work() repeat exactly, and a 1% injected change is flagged",
          "[count][compare]") {
  const char* binary = std::getenv("PARBENCH_COUNT_BINARY");
  INFO("set PARBENCH_COUNT_BINARY to a parbench built without sanitizers (scripts/test.sh does)");
  REQUIRE(binary != nullptr);
  test::TempDir dir;
  auto count = [&](const std::string& extra, const std::string& out) {
    return test::run_program({binary, "count", "cpu_sum", "--param", "n=1e6", "--param",
                              "extra_pct=" + extra, "--workers", "1,2", "--reps", "2", "--out",
                              dir.path() + "/" + out});
  };
  auto e = count("0", "base");
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
  const auto rows = read_rows(dir.path() + "/base.csv");
  REQUIRE(rows.size() == 8);  // 2 backends x 2 worker counts x 2 runs
  for (const auto& r : rows) {
    REQUIRE(r.ok());
    // cpu_sum's loop body is the same instructions per term on any machine; the count is
    // proportional to n and does not change with the number of workers sharing it.
    const double per_term = *r.metric("callgrind_ir") / 1e6;
    REQUIRE(per_term > 1);
    REQUIRE(per_term < 50);
    REQUIRE(std::abs(*r.metric("callgrind_ir") - *rows[0].metric("callgrind_ir")) < 1000);
  }
  REQUIRE(count("1", "slower").status == 0);
  const auto c = test::run_parbench({"compare", dir.path() + "/base", dir.path() + "/slower",
                                     "--ignore-param", "extra_pct", "--format", "json"});
  REQUIRE(c.status == 1);
  const auto j = nlohmann::json::parse(c.out);
  REQUIRE(j["counts"]["regressed"] == 4);
  for (const auto& m : j["comparisons"])
    REQUIRE(m["change"].get<double>() == Approx(0.01).margin(0.0005));
  REQUIRE(test::run_parbench({"compare", dir.path() + "/base", dir.path() + "/base"}).status == 0);
}

TEST_CASE("compare refuses reports from different machines unless told and then says so per line",
          "[compare][cli]") {
  nlohmann::json here = {{"cpu_model", "AMD EPYC"},
                         {"online_cpus", 2},
                         {"kernel", "Linux 6.1.0 x86_64"},
                         {"build_type", "Release"},
                         {"sanitizers", ""}};
  REQUIRE(machine_differences(here, here).empty());
  REQUIRE(machine_differences(here, nlohmann::json()).empty());  // nothing to check against
  nlohmann::json there = here;
  there["cpu_model"] = "Intel Xeon";
  there["kernel"] = "Linux 6.12.0 x86_64";
  const auto diffs = machine_differences(here, there);
  REQUIRE(diffs.size() == 2);
  REQUIRE_THAT(diffs[0], Catch::StartsWith("cpu_model: 'AMD EPYC' in the baseline"));
  REQUIRE_THAT(diffs[1], Catch::StartsWith("kernel:"));
  // The fingerprint names exactly those facts: another host name does not change it, a sanitizer
  // does.
  nlohmann::json renamed = here;
  renamed["hostname"] = "elsewhere";
  REQUIRE(machine_fingerprint(here).size() == 10);
  REQUIRE(machine_fingerprint(renamed) == machine_fingerprint(here));
  nlohmann::json asan = here;
  asan["sanitizers"] = "address,undefined";
  REQUIRE(machine_fingerprint(asan) != machine_fingerprint(here));
  REQUIRE(machine_differences(here, asan).size() == 1);

  // On the command line: the same rows, one meta.json claiming another CPU.
  test::TempDir dir;
  const std::string& d = dir.path();
  const auto run = test::run_parbench({"run", "cpu_sum", "--backend", "thread", "--workers", "1",
                                       "--param", "n=1e6", "--reps", "3", "--warmup", "0",
                                       "--quiet", "--no-limits", "--out", d + "/a"});
  REQUIRE(run.status == 0);
  fs::copy_file(d + "/a.csv", d + "/b.csv");
  nlohmann::json meta = test::read_json(d + "/a.meta.json");
  meta["machine"]["cpu_model"] = "Intel Xeon";
  std::ofstream(d + "/b.meta.json") << meta.dump();
  const auto refused = test::run_parbench({"compare", d + "/a", d + "/b"});
  REQUIRE(refused.status == 2);
  REQUIRE_THAT(refused.err, Catch::Contains("different machines") && Catch::Contains("cpu_model") &&
                                Catch::Contains("--allow-other-machine"));
  REQUIRE(refused.out.empty());
  for (const std::string format : {"text", "md"}) {
    const auto allowed = test::run_parbench(
        {"compare", d + "/a", d + "/b", "--allow-other-machine", "--format", format});
    INFO(allowed.out);
    REQUIRE(allowed.status == 0);
    std::istringstream lines(allowed.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line.starts_with("| ---")) continue;
      REQUIRE_THAT(line, Catch::Contains("[other machine]"));
    }
  }
  const auto json = test::run_parbench(
      {"compare", d + "/a", d + "/b", "--allow-other-machine", "--format", "json"});
  REQUIRE(json.status == 0);
  REQUIRE(nlohmann::json::parse(json.out)["other_machine"].size() == 1);
  REQUIRE(test::run_parbench({"compare", d + "/a", d + "/a"}).status == 0);
}

TEST_CASE("ab pairs each round's candidate with the same round's baseline", "[compare]") {
  CompareOptions o;
  o.metrics = {"work_per_s"};
  // Five rounds over which the machine drifts 15% a round; the candidate is 8% slower in each.
  std::vector<std::vector<Row>> base, slower, same;
  std::vector<Row> pooled_base, pooled_slower;
  for (int r = 0; r < 5; ++r) {
    const double ms = 100 * std::pow(1.15, r);
    base.push_back(reps("thread", around(ms)));
    slower.push_back(reps("thread", around(ms * 1.08)));
    // No change, but each round's candidate drawn a little apart (+-3%) from its baseline.
    same.push_back(reps("thread", around(ms * (r % 2 == 0 ? 1.03 : 0.97))));
    pooled_base.insert(pooled_base.end(), base.back().begin(), base.back().end());
    pooled_slower.insert(pooled_slower.end(), slower.back().begin(), slower.back().end());
  }
  // Pooled, the drift hides the slowdown in the spread (as ab did).
  REQUIRE(compare_rows(pooled_base, pooled_slower, o).items[0].verdict == Verdict::Unchanged);
  const auto c = compare_paired(base, slower, o);
  REQUIRE(c.items.size() == 1);
  REQUIRE(c.items[0].verdict == Verdict::Regressed);
  REQUIRE(c.items[0].change == Approx(1 / 1.08 - 1).epsilon(0.01));
  REQUIRE(c.items[0].p < 0.01);
  REQUIRE_THAT(c.items[0].note, Catch::Contains("paired over 5 rounds"));
  REQUIRE_THAT(format_comparison_text(c), Catch::Contains("paired t-test"));
  // Round-to-round scatter with no change: five rounds are five samples, not fifty.
  const auto d = compare_paired(base, same, o);
  REQUIRE(d.items[0].verdict == Verdict::Unchanged);
  REQUIRE(d.items[0].p > 0.5);
}
