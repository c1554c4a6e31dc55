// The run history: change points on synthetic series (E-Divisive means), and the SQLite database
// (concurrent writers, foreign, corrupt and newer files refused without a change).
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

// `n` values around `level` with normal noise of coefficient of variation `cv`.
std::vector<double> noisy(std::mt19937_64& rng, std::size_t n, double level, double cv) {
  std::normal_distribution<double> d(level, level * cv);
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("a 5% step in noise of CV 3% is found at its index", "[history]") {
  std::mt19937_64 rng(2026);
  int found = 0, exact = 0;
  for (int trial = 0; trial < 40; ++trial) {
    auto x = noisy(rng, 10, 100, 0.03);
    const auto after = noisy(rng, 10, 105, 0.03);
    x.insert(x.end(), after.begin(), after.end());
    const auto steps = find_change_points(x);
    REQUIRE(steps.size() <= 1);
    if (steps.empty()) continue;
    ++found;
    INFO("trial " << trial << ": step at " << steps[0].index);
    // Where a step is found it is this one: near its index (a 1.7-sigma step in 20 points cannot
    // always be placed exactly), upwards, significant.
    REQUIRE(steps[0].index >= 6);
    REQUIRE(steps[0].index <= 14);
    REQUIRE(steps[0].change() > 0.02);
    REQUIRE(steps[0].p_value < 0.01);
    if (steps[0].index == 10) ++exact;
  }
  WARN(found << " of 40 found, " << exact << " at index 10");
  REQUIRE(found >= 10);
  REQUIRE(exact >= 5);
}

TEST_CASE("step-free series at CV 5% give no change point in at least 99 of 100", "[history]") {
  std::mt19937_64 rng(7);
  int with_steps = 0;
  for (int trial = 0; trial < 100; ++trial) {
    if (!find_change_points(noisy(rng, 20, 100, 0.05)).empty()) ++with_steps;
  }
  REQUIRE(with_steps <= 1);
  // Too short to split: nothing, never a crash.
  REQUIRE(find_change_points({}).empty());
  REQUIRE(find_change_points({1, 2, 3, 4, 5}).empty());
}

TEST_CASE("two steps are both found and each has the means of its own stretch", "[history]") {
  std::mt19937_64 rng(11);
  auto x = noisy(rng, 12, 100, 0.01);
  for (double level : {120.0, 90.0}) {
    const auto part = noisy(rng, 12, level, 0.01);
    x.insert(x.end(), part.begin(), part.end());
  }
  const auto steps = find_change_points(x);
  REQUIRE(steps.size() == 2);
  REQUIRE(steps[0].index == 12);
  REQUIRE(steps[1].index == 24);
  REQUIRE(steps[0].change() == Approx(0.2).margin(0.02));
  REQUIRE(steps[1].change() == Approx(-0.25).margin(0.02));
}

TEST_CASE("history: runs added at once all land and foreign or corrupt or newer files are refused",
          "[history][cli]") {
  test::TempDir dir;
  const std::string& d = dir.path();
  const auto run = test::run_parbench({"run", "cpu_sum", "--backend", "thread", "--workers", "1",
                                       "--param", "n=1e6", "--reps", "3", "--warmup", "0",
                                       "--quiet", "--no-limits", "--out", d + "/r"});
  REQUIRE(run.status == 0);
  const std::string db = d + "/h.sqlite";

  // Eight concurrent writers of eight runs (copies of one, each started at its own time) on a
  // database that does not exist yet: all land, none lost.
  std::vector<int> pids;
  for (int i = 0; i < 8; ++i) {
    const std::string copy = fmt::format("{}/r{}", d, i);
    fs::copy_file(d + "/r.csv", copy + ".csv");
    nlohmann::json meta = test::read_json(d + "/r.meta.json");
    meta["run"]["started_at"] = fmt::format("2026-01-0{}T00:00:00Z", i + 1);
    std::ofstream(copy + ".meta.json") << meta.dump();
    pids.push_back(test::start_parbench(
        {"history", "--db", db, "add", copy, "--commit", fmt::format("c{}", i)}));
  }
  for (int pid : pids) REQUIRE(test::wait_exit(pid) == 0);
  HistoryDb h(db, HistoryDb::Mode::Read);
  REQUIRE(h.runs().size() == 8);
  const auto series = h.series({});
  REQUIRE_FALSE(series.empty());
  for (const auto& s : series) REQUIRE(s.points.size() == 8);
  const auto listed = test::run_parbench({"history", "--db", db, "list"});
  REQUIRE(listed.status == 0);
  REQUIRE_THAT(listed.out, Catch::Contains("8 run(s)"));
  const auto shown = test::run_parbench({"history", "--db", db, "show", "cpu_sum"});
  REQUIRE(shown.status == 0);
  REQUIRE_THAT(shown.out, Catch::Contains("best_work_per_s"));
  // Eight identical runs: no step, exit 0.
  const auto checked = test::run_parbench({"history", "--db", db, "check"});
  INFO(checked.out << checked.err);
  REQUIRE(checked.status == 0);
  const auto page =
      test::run_parbench({"history", "--db", db, "report", "--out", d + "/history.html"});
  REQUIRE(page.status == 0);
  REQUIRE_THAT(test::slurp(d + "/history.html"),
               Catch::Contains("<svg") && Catch::Contains("commit c7"));

  SECTION("runs of another machine make series of their own") {
    fs::copy_file(d + "/r.csv", d + "/other.csv");
    nlohmann::json meta = test::read_json(d + "/r.meta.json");
    meta["machine"]["cpu_model"] = "Another CPU";
    std::ofstream(d + "/other.meta.json") << meta.dump();
    REQUIRE(test::run_parbench({"history", "--db", db, "add", d + "/other"}).status == 0);
    const auto split = HistoryDb(db, HistoryDb::Mode::Read).series({});
    REQUIRE(split.size() == 2 * series.size());
    for (const auto& s : split) {
      REQUIRE_THAT(s.key, Catch::Contains(" machine="));
      REQUIRE((s.points.size() == 8 || s.points.size() == 1));
    }
  }

  SECTION("a file that is not a parbench history is refused and left as it was") {
    const std::string foreign = d + "/foreign.sqlite";
    {
      SQLite::Database other(foreign, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      other.exec("CREATE TABLE t(x)");
    }
    const std::string corrupt = d + "/corrupt.sqlite";
    std::ofstream(corrupt) << "this is not a database, just text long enough to have a header";
    const std::string newer = d + "/newer.sqlite";
    fs::copy_file(db, newer);
    {
      SQLite::Database n(newer, SQLite::OPEN_READWRITE);
      n.exec(fmt::format("PRAGMA user_version = {}", kHistorySchemaVersion + 1));
    }
    for (const auto& [file, why] : {std::pair{foreign, "something else"},
                                    std::pair{corrupt, "not a readable parbench history"},
                                    std::pair{newer, "newer than this parbench"}}) {
      INFO(file);
      const std::string before = file_bytes(file);
      const auto e = test::run_parbench({"history", "--db", file, "add", d + "/r"});
      REQUIRE(e.status == 2);
      REQUIRE_THAT(e.err, Catch::Contains(why) && Catch::Contains(file));
      REQUIRE(std::count(e.err.begin(), e.err.end(), '\n') == 1);
      REQUIRE(file_bytes(file) == before);
      REQUIRE(test::run_parbench({"history", "--db", file, "check"}).status == 2);
    }
    const auto missing = test::run_parbench({"history", "--db", d + "/none.sqlite", "list"});
    REQUIRE(missing.status == 2);
    REQUIRE_FALSE(fs::exists(d + "/none.sqlite"));
  }
}

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

TEST_CASE("history: readers never wait for a writer, and a bad add leaves no database",
          "[history][cli]") {
  test::TempDir dir;
  const std::string& d = dir.path();
  test::write_small_report(d + "/r");
  const std::string db = d + "/h.sqlite";
  REQUIRE(test::run_parbench({"history", "--db", db, "add", d + "/r"}).status == 0);

  SECTION("a writer holding the lock does not stop list, show or check") {
    SQLite::Database writer(db, SQLite::OPEN_READWRITE, 0);
    SQLite::Transaction tx(writer, SQLite::TransactionBehavior::IMMEDIATE);
    writer.exec(
        "INSERT INTO runs(commit_sha, branch, added_at, started_at, host, fingerprint, "
        "source, meta_json, rows_csv, summary_csv) VALUES('w', '', '', '', '', '', '', "
        "'{}', '', '')");
    for (const char* sub : {"list", "show", "noise"}) {
      INFO(sub);
      const auto t0 = std::chrono::steady_clock::now();
      const auto e = test::run_parbench({"history", "--db", db, sub});
      REQUIRE(e.status == 0);
      // Readers once took the write lock and waited its 30 s before failing.
      REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
      REQUIRE_THAT(e.out + e.err, !Catch::Contains("locked"));
    }
  }

  SECTION("the same report added again is stored once") {
    const auto again = test::run_parbench({"history", "--db", db, "add", d + "/r"});
    REQUIRE(again.status == 0);
    REQUIRE_THAT(again.out, Catch::Contains("already"));
    REQUIRE(HistoryDb(db, HistoryDb::Mode::Read).runs().size() == 1);
  }

  SECTION("a missing or torn report, or one without meta.json, creates nothing") {
    const std::string fresh = d + "/new/h.sqlite";
    fs::copy_file(d + "/r.csv", d + "/nometa.csv");
    std::ofstream(d + "/torn.csv") << test::slurp(d + "/r.csv").substr(0, 200);
    fs::copy_file(d + "/r.meta.json", d + "/torn.meta.json");
    for (const char* prefix : {"/nothere", "/nometa", "/torn"}) {
      INFO(prefix);
      const auto e = test::run_parbench({"history", "--db", fresh, "add", d + prefix});
      REQUIRE(e.status == 2);
      REQUIRE_FALSE(fs::exists(d + "/new"));
    }
    REQUIRE_THAT(test::run_parbench({"history", "--db", fresh, "add", d + "/nometa"}).err,
                 Catch::Contains("nometa.meta.json is missing"));
  }

  SECTION("a history that cannot be written is exit 3 and a new one is removed") {
    const auto full =
        test::run_program({"/bin/sh", "-c",
                           fmt::format("ulimit -f 2; exec {} history --db {}/full.sqlite add {}/r",
                                       PARBENCH_BINARY, d, d)});
    INFO(full.err);
    REQUIRE(full.status == 3);
    REQUIRE_FALSE(fs::exists(d + "/full.sqlite"));
  }

  SECTION("read-only commands write nothing, to an empty file or a foreign database") {
    const std::string empty = d + "/empty.sqlite";
    { const std::ofstream touch(empty); }
    const auto e = test::run_parbench({"history", "--db", empty, "list"});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains("empty"));
    REQUIRE(fs::file_size(empty) == 0);
    const std::string view = d + "/view.sqlite";
    {
      SQLite::Database other(view, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      other.exec("CREATE VIEW v AS SELECT 1 AS x");
    }
    const std::string before = file_bytes(view);
    for (const char* sub : {"list", "check"}) {
      REQUIRE(test::run_parbench({"history", "--db", view, sub}).status == 2);
    }
    REQUIRE(test::run_parbench({"history", "--db", view, "add", d + "/r"}).status == 2);
    REQUIRE(file_bytes(view) == before);
  }

  SECTION("options and selections are checked, and a message says what matched nothing") {
    const auto sigmas =
        test::run_parbench({"history", "--db", db, "noise", "--history-sigmas", "-3"});
    REQUIRE(sigmas.status == 2);
    REQUIRE(
        test::run_parbench({"history", "--db", db, "noise", "--history-sigmas", "nan"}).status ==
        2);
    const auto last = test::run_parbench({"history", "--db", db, "show", "--last", "0"});
    REQUIRE(last.status == 2);
    REQUIRE_THAT(last.err, Catch::Contains("--last"));
    const auto nothing = test::run_parbench({"history", "--db", db, "show", "nosuchcase"});
    REQUIRE(nothing.status == 2);
    REQUIRE_THAT(nothing.err, Catch::Contains("matches 'nosuchcase'"));
    const auto metric = test::run_parbench({"history", "--db", db, "check", "--metric", "bogus"});
    REQUIRE(metric.status == 2);
    REQUIRE_THAT(metric.err, Catch::Contains("'bogus'") && Catch::Contains("wall_ns"));
    const auto commit =
        test::run_parbench({"history", "--db", db, "add", d + "/r", "--commit", "\xff\xfe"});
    REQUIRE(commit.status == 2);
  }
}

TEST_CASE("history add grows in proportion to the report and not with its square", "[serial]") {
  // Measured against itself in one run: the time of a report of 8 times the cases over the time
  // of the small one. It was quadratic (a 36k-row report held the write lock 40 s): 8x the cases
  // took ~60x as long.
  test::TempDir dir;
  const std::string& d = dir.path();
  REQUIRE(test::run_parbench({"run", "cpu_sum", "-b", "thread", "-w", "1", "-p", "n=1e5", "-r", "3",
                              "--warmup", "0", "-q", "--no-limits", "-o", d + "/real"})
              .status == 0);
  ReportSchema schema;
  const auto rows = read_report_rows(d + "/real.csv", &schema, "test");
  const auto report = [&](const std::string& name, int cases) {
    {
      RowsCsvSink sink(d + "/" + name + ".csv", schema);
      for (int c = 0; c < cases; ++c) {
        for (const Row& real : rows) {
          Row row = real;
          for (auto& [k, v] : row.params) {
            if (k == "n") v = std::to_string(100000 + c);
          }
          sink.write(row);
        }
      }
    }
    fs::copy_file(d + "/real.meta.json", d + "/" + name + ".meta.json");
    return d + "/" + name;
  };
  const auto best_add = [&](const std::string& prefix) {
    double best = 1e9;
    for (int round = 0; round < 2; ++round) {
      const std::string db = fmt::format("{}-{}.sqlite", prefix, round);
      const auto t0 = std::chrono::steady_clock::now();
      REQUIRE(test::run_parbench({"history", "--db", db, "add", prefix}).status == 0);
      best = std::min(best,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
  };
  const double small = best_add(report("small", 1000)), large = best_add(report("large", 8000));
  WARN("history add: 1000 cases " << small << " s, 8000 cases " << large << " s");
  REQUIRE(large / small < 20);
}
