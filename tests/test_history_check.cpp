// history check on histories made from one real run: where a slowdown began, when it is over,
// the newest run judged at once, and steps of the machine or of other processes told from the
// code's.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "bad_input.hpp"
#include "change_points.hpp"
#include "history.hpp"
#include "rows_csv.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;

namespace {

// One real run of cpu_sum, then histories of twelve reports made from it: the figures are fixed,
// so the tests check the path from report to check, not the statistics under whatever load the
// machine has.
class SyntheticRuns {
 public:
  SyntheticRuns(const std::string& dir, const std::string& workers) : dir_(dir) {
    const auto r = test::run_parbench({"run", "cpu_sum", "--backend", "thread", "--workers",
                                       workers, "--param", "n=1e6", "--reps", "5", "--warmup", "0",
                                       "--quiet", "--no-limits", "--out", dir + "/real"});
    REQUIRE(r.status == 0);
    rows_ = read_report_rows(dir + "/real.csv", &schema_, "test");
    meta_ = test::read_json(dir + "/real.meta.json");
  }
  // The database `name`.sqlite of runs 1 to 12, committed as commit1 ... commit12; `edit(row, i)`
  // makes run i's rows from the real ones, which already have 1% of jitter from run to run.
  std::string history(const std::string& name, const std::function<void(Row&, int)>& edit,
                      const std::function<void(nlohmann::json&)>& edit_meta = {}) const {
    std::string db = fmt::format("{}/{}.sqlite", dir_, name);
    nlohmann::json meta = meta_;
    if (edit_meta) edit_meta(meta);
    for (int i = 1; i <= 12; ++i) {
      const std::string prefix = fmt::format("{}/{}{}", dir_, name, i);
      // Each a run of its own: a report added twice is stored once.
      meta["run"]["started_at"] = fmt::format("2026-01-{:02}T00:00:00Z", i);
      {
        RowsCsvSink sink(prefix + ".csv", schema_);
        for (Row row : rows_) {
          row.wall_ns =
              static_cast<std::int64_t>(static_cast<double>(*row.wall_ns) * (1 + 0.01 * (i % 3)));
          edit(row, i);
          sink.write(row);
        }
      }
      std::ofstream(prefix + ".meta.json") << meta.dump();
      REQUIRE(test::run_parbench(
                  {"history", "--db", db, "add", prefix, "--commit", fmt::format("commit{}", i)})
                  .status == 0);
    }
    return db;
  }

 private:
  std::string dir_;
  ReportSchema schema_;
  std::vector<Row> rows_;
  nlohmann::json meta_;
};

// From run 7 on, every repetition takes `factor` times as long.
void slower_from_7(Row& row, int i, double factor) {
  if (i >= 7) row.wall_ns = static_cast<std::int64_t>(static_cast<double>(*row.wall_ns) * factor);
}

}  // namespace

TEST_CASE("history check finds the run where an injected slowdown began and exits 1",
          "[history][cli]") {
  test::TempDir dir;
  const SyntheticRuns runs(dir.path(), "1");
  const std::string db = runs.history("h", [](Row& row, int i) { slower_from_7(row, i, 5); });
  const auto c =
      test::run_parbench({"history", "--db", db, "check", "--metric", "best_work_per_s"});
  INFO(c.out << c.err);
  REQUIRE(c.status == 1);
  REQUIRE_THAT(c.out, Catch::Contains("at run 7 (commit commit7") && Catch::Contains("regression"));
  // The newest 6 runs only, all after the step: nothing to find, exit 0.
  const auto after = test::run_parbench(
      {"history", "--db", db, "check", "--metric", "best_work_per_s", "--last", "6"});
  INFO(after.out);
  REQUIRE(after.status == 0);
}

TEST_CASE("history check holds a regression until the series is back at its accepted level",
          "[history][cli]") {
  test::TempDir dir;
  const SyntheticRuns runs(dir.path(), "1");
  // 20% slower from run 5; from run 9 a partial fix (+6% on that) or a whole one.
  const auto history = [&](const std::string& name, double fix) {
    return runs.history(name, [fix](Row& row, int i) {
      double factor = i >= 5 ? 1.25 : 1.0;  // a rate 20% lower
      if (i >= 9) factor /= fix;
      row.wall_ns = static_cast<std::int64_t>(static_cast<double>(*row.wall_ns) * factor);
    });
  };
  const std::string partial = history("partial", 1.06);
  const auto held =
      test::run_parbench({"history", "--db", partial, "check", "--metric", "best_work_per_s"});
  INFO(held.out << held.err);
  // The last step is an improvement: judged by the last step alone this passed.
  REQUIRE(held.status == 1);
  REQUIRE_THAT(held.out, Catch::Contains("REGRESSION HELD") &&
                             Catch::Contains("before the step at run 5 (commit commit5)"));
  // Accepting the first step as intended makes its level the accepted one.
  const auto accepted = test::run_parbench(
      {"history", "--db", partial, "check", "--metric", "best_work_per_s", "--accept", "commit5"});
  INFO(accepted.out);
  REQUIRE(accepted.status == 0);
  const auto whole = test::run_parbench(
      {"history", "--db", history("whole", 1.25), "check", "--metric", "best_work_per_s"});
  INFO(whole.out);
  REQUIRE(whole.status == 0);
}

TEST_CASE("history check judges the newest run at once and blames its own commit",
          "[history][cli]") {
  test::TempDir dir;
  const SyntheticRuns runs(dir.path(), "1");
  const auto newest = [&](const std::string& name, int from) {
    return runs.history(name, [from](Row& row, int i) {
      if (i >= from) row.wall_ns = *row.wall_ns * 2;  // half the rate
    });
  };
  for (int from : {12, 11}) {
    const auto c = test::run_parbench({"history", "--db", newest(fmt::format("n{}", from), from),
                                       "check", "--metric", "best_work_per_s"});
    INFO(c.out << c.err);
    REQUIRE(c.status == 1);
    REQUIRE_THAT(c.out, Catch::Contains(fmt::format(
                            "SUSPECTED REGRESSION at run {} (commit commit{})", from, from)));
    // No step is pulled onto an older commit by the newest runs.
    REQUIRE_THAT(c.out, !Catch::Contains("step(s)\n  at run"));
  }
  // A newest run within the band of the others: nothing.
  const auto steady =
      test::run_parbench({"history", "--db", runs.history("steady", [](Row&, int) {}), "check",
                          "--metric", "best_work_per_s"});
  INFO(steady.out);
  REQUIRE(steady.status == 0);
}

TEST_CASE("history check tells a step of the machine's capacity from one of the code",
          "[history][cli]") {
  test::TempDir dir;
  const SyntheticRuns runs(dir.path(), "1");
  // From the seventh run on the machine gives the case half its capacity (the probe reads 1.96
  // then 0.98: a vCPU shared with another), and every repetition takes `slowdown` times as long.
  // With `wide`, the chain stays at full capacity and the throughput-bound half of the probe
  // halves instead (0.50 -> 0.25 op/ns: a busy hyperthread sibling on the host).
  const auto history = [&](const std::string& name, double slowdown, bool wide = false) {
    return runs.history(name, [slowdown, wide](Row& row, int i) {
      slower_from_7(row, i, slowdown);
      const double wobble = 1 + 0.005 * (i % 2);
      row.machine_capacity = (i >= 7 && !wide ? 0.98 : 1.96) * wobble;
      if (wide) row.machine_throughput = (i >= 7 ? 0.25 : 0.50) * wobble;
    });
  };
  // Twice as slow on half the capacity: the machine's step, reported and not judged.
  const std::string machine_db = history("machine", 2.0);
  const auto machine =
      test::run_parbench({"history", "--db", machine_db, "check", "--metric", "best_work_per_s"});
  INFO(machine.out << machine.err);
  REQUIRE(machine.status == 0);
  REQUIRE_THAT(machine.out,
               Catch::Contains("at run 7 (commit commit7") &&
                   Catch::Contains("disturbed: the machine gave the case 0.98x of capacity "
                                   "against 1.96x before (machine_capacity)") &&
                   Catch::Contains("not judged"));
  REQUIRE_THAT(machine.out, !Catch::Contains("regression"));
  // Every series: the wall time and work rate steps are the machine's too, and the capacity series
  // itself, which halved, is read beside the others, not judged as a figure of the code.
  const auto every = test::run_parbench({"history", "--db", machine_db, "check"});
  INFO(every.out << every.err);
  REQUIRE(every.status == 0);
  REQUIRE_THAT(every.out, Catch::Contains("wall_ns: 12 run(s), 1 step(s)") &&
                              !Catch::Contains("machine_capacity:") &&
                              !Catch::Contains("cpus_left:") && !Catch::Contains("regression"));
  // Five times as slow on half the capacity: more than the machine explains, a regression.
  const auto code = test::run_parbench(
      {"history", "--db", history("code", 5.0), "check", "--metric", "best_work_per_s"});
  INFO(code.out << code.err);
  REQUIRE(code.status == 1);
  REQUIRE_THAT(code.out, Catch::Contains("at run 7 (commit commit7") &&
                             Catch::Contains("(regression)") && !Catch::Contains("disturbed"));
  // The throughput-bound half sees what the chain cannot: the same two steps.
  const auto wide = test::run_parbench(
      {"history", "--db", history("wide", 2.0, true), "check", "--metric", "best_work_per_s"});
  INFO(wide.out << wide.err);
  REQUIRE(wide.status == 0);
  REQUIRE_THAT(wide.out, Catch::Contains("at run 7 (commit commit7") && Catch::Contains("0.25") &&
                             Catch::Contains("op/ns of throughput") &&
                             Catch::Contains("(machine_throughput)") &&
                             Catch::Contains("not judged"));
  const auto wide_code = test::run_parbench(
      {"history", "--db", history("wide_code", 5.0, true), "check", "--metric", "best_work_per_s"});
  INFO(wide_code.out << wide_code.err);
  REQUIRE(wide_code.status == 1);
  REQUIRE_THAT(wide_code.out, Catch::Contains("(regression)") && !Catch::Contains("disturbed"));
}

TEST_CASE("history check blames a step on other processes only where they took the case's CPUs",
          "[history][cli]") {
  test::TempDir dir;
  const SyntheticRuns runs(dir.path(), "1,2");
  // A 2-CPU machine on which, from the seventh run on, other processes take half of all CPU time
  // (a busy loop on one CPU) and both cases take twice as long. The probe does not see it (a 2 ms
  // probe runs before the scheduler lets the busy loop back in).
  const std::string db = runs.history(
      "h",
      [](Row& row, int i) {
        slower_from_7(row, i, 2);
        row.machine_capacity = static_cast<double>(row.workers) * (1 - 0.01 * (i % 2));
        row.other_load_pct = (i >= 7 ? 50.0 : 2.0) + (i % 3);
      },
      [](nlohmann::json& meta) { meta["machine"]["online_cpus"] = 2; });
  const auto c = test::run_parbench({"history", "--db", db, "check", "--metric", "work_per_s"});
  INFO(c.out << c.err);
  // Two workers had one CPU left of two: the machine's step. One worker still had its CPU: the
  // step is the code's, and the newest run sits after it.
  REQUIRE(c.status == 1);
  REQUIRE_THAT(c.out, Catch::Contains("w=2") &&
                          Catch::Contains("disturbed: other processes left the case 0.9") &&
                          Catch::Contains("(cpus_left), -1.0% in proportion to them; not judged"));
  const auto one = c.out.find("w=1"), two = c.out.find("w=2");
  REQUIRE(one != std::string::npos);
  REQUIRE(two != std::string::npos);
  const std::string w1 = c.out.substr(one, two > one ? two - one : std::string::npos);
  REQUIRE_THAT(w1, Catch::Contains("(regression)") && !Catch::Contains("disturbed"));
  // Three times as slow while others take 14% of the CPUs instead of 2% (cpus_left 1.96 -> 1.72):
  // the step is far larger than the CPUs lost explain. It was called disturbed, exit 0.
  const std::string big = runs.history(
      "big",
      [](Row& row, int i) {
        slower_from_7(row, i, 3);
        row.machine_capacity = static_cast<double>(row.workers) * (1 - 0.01 * (i % 2));
        row.other_load_pct = (i >= 7 ? 14.0 : 2.0) + 0.1 * (i % 3);
      },
      [](nlohmann::json& meta) { meta["machine"]["online_cpus"] = 2; });
  const auto b = test::run_parbench({"history", "--db", big, "check", "--metric", "work_per_s"});
  INFO(b.out << b.err);
  REQUIRE(b.status == 1);
  REQUIRE_THAT(b.out, !Catch::Contains("disturbed") && Catch::Contains("(regression)"));
}
