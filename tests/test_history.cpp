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
