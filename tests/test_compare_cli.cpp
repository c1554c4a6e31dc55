// The regression gate from outside: hosts, formats, Google Benchmark JSON, the command line's exit
// statuses, instruction counts, reports from other machines and paired A/B rounds.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
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
    std::set<long> cells;  // markdown: every table line as many cells as the separator
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("|")) cells.insert(std::count(line.begin(), line.end(), '|'));
      if (line.empty() || line.starts_with("| ---")) continue;
      REQUIRE_THAT(line, Catch::Contains("[other machine]"));
    }
    REQUIRE(cells.size() == (format == "md" ? 1U : 0U));
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
