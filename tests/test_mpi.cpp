// The mpi backend under a real mpirun on this machine (2 ranks, oversubscribed so that it runs on
// any CPU count), and parbench merge. Without MPI built in or without mpirun, the mpi tests say
// why and are skipped; what must hold without MPI is checked instead.
#include <fmt/core.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "csv_reader.hpp"
#include "machine.hpp"
#include "mpi_world.hpp"
#include "rows_csv.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;

namespace {

// mpirun's path, or "" when Open MPI's launcher is not installed.
std::string find_mpirun() {
  for (const char* p : {"/usr/bin/mpirun", "/usr/local/bin/mpirun"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return {};
}

std::vector<std::string> mpirun2_argv() {
  std::vector<std::string> argv = {find_mpirun(), "--oversubscribe"};
  if (geteuid() == 0) argv.emplace_back("--allow-run-as-root");
  argv.insert(argv.end(), {"-np", "2"});
  return argv;
}

// Why the mpi tests cannot run here, or "": no MPI built in, no mpirun, or an mpirun that cannot
// start two ranks of /bin/true on this machine (a container without the network Open MPI's
// launcher needs, say), which says nothing about parbench.
std::string mpi_skip_reason() {
  if (!mpi::compiled()) return mpi::unavailable_reason();
  if (find_mpirun().empty()) return "mpirun is not installed (Debian: openmpi-bin)";
  static const std::string launcher = [] {
    auto argv = mpirun2_argv();
    argv.emplace_back("/bin/true");
    const auto e = test::run_program(argv);
    return e.status == 0
               ? std::string()
               : fmt::format("mpirun cannot start 2 ranks of /bin/true here (exit {}): {}",
                             e.status, e.err);
  }();
  return launcher;
}

// mpirun -np 2 parbench ARGS. --oversubscribe: 2 ranks even on a 1-CPU machine; as root (CI),
// --allow-run-as-root; the sanitizers' leak check is off because Open MPI keeps its allocations
// until exit.
test::Exit mpirun2(const std::vector<std::string>& args) {
  auto argv = mpirun2_argv();
  argv.insert(argv.end(), {"-x", "ASAN_OPTIONS=detect_leaks=0", PARBENCH_BINARY});
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_program(argv);
}

}  // namespace

TEST_CASE("mpirun -np 2: cpu_sum on 1 and 2 ranks, verified rows with each worker's host",
          "[mpi]") {
  if (const std::string why = mpi_skip_reason(); !why.empty()) {
    PARBENCH_SKIP(why);
  }
  test::TempDir dir;
  const std::string prefix = dir.path() + "/cs";
  const auto before = test::ipc_entries();
  const auto e = mpirun2({"run", "cpu_sum", "--backend", "mpi", "--workers", "1,2", "--param",
                          "n=2e6", "--param", "scaling=strong,weak", "--reps", "3", "--warmup", "1",
                          "--quiet", "--out", prefix});
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
  const auto rows = read_rows(prefix + ".csv");
  REQUIRE(rows.size() == std::size_t{2} * 2 * 3);  // workers x scaling x reps
  for (const auto& r : rows) {
    REQUIRE(r.backend == "mpi");
    REQUIRE(r.status == "ok");  // cpu_sum checks every sum against its closed form
    REQUIRE(r.host == host_name());
    REQUIRE(r.wall_ns > 0);
    REQUIRE(r.work_units > 0);
    const std::string scaling = *r.param("scaling");
    // Weak scaling: n terms per rank; strong: n in total.
    REQUIRE(*r.work_units == (scaling == "weak" ? 2e6 * r.workers : 2e6));
  }
  const auto meta = test::read_json(prefix + ".meta.json");
  REQUIRE(meta["run"]["complete"] == true);
  REQUIRE(meta["run"]["mpi"]["ranks"] == 2);
  REQUIRE(meta["run"]["mpi"]["hosts"].size() == 2);
  const CsvTable summary = CsvTable::read(prefix + ".summary.csv");
  const auto speedup = *summary.column("speedup");
  for (const auto& row : summary.rows()) REQUIRE_FALSE(row[speedup].empty());
  REQUIRE(test::ipc_entries_settled(before) == before);
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("mpirun -np 2: the MPI ping-pong and stream verify every message", "[mpi]") {
  if (const std::string why = mpi_skip_reason(); !why.empty()) {
    PARBENCH_SKIP(why);
  }
  test::TempDir dir;
  const std::string prefix = dir.path() + "/pp";
  // cross_core only: with two ranks on one CPU, Open MPI's busy-polling receive waits a whole
  // scheduler slice per message (README: the mpi backend).
  auto e = mpirun2({"run", "ipc_pingpong", "--backend", "mpi", "--param", "channel=mpi", "--param",
                    "size=64,4Ki", "--param", "placement=cross_core", "--param", "count=2000",
                    "--reps", "2", "--quiet", "--out", prefix});
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
  auto rows = read_rows(prefix + ".csv");
  REQUIRE(rows.size() == std::size_t{2} * 2);
  for (const auto& r : rows) {
    REQUIRE(r.status == "ok");
    REQUIRE(*r.param("channel") == "mpi");
    REQUIRE(r.workers == 2);
    const auto p50 = r.metric("rtt_p50_ns"), p99 = r.metric("rtt_p99_ns");
    REQUIRE(p50);
    REQUIRE(*p50 > 0);
    REQUIRE(*p99 >= *p50);
    // osu_latency's figure, from the second pass: a half round trip, so below a whole one's max.
    REQUIRE(*r.metric("latency_us") > 0);
    REQUIRE(*r.metric("latency_us") * 1000 < *r.metric("rtt_max_ns"));
    REQUIRE(r.work_units == 2 * 2000.0);  // two passes of count round trips
  }
  // A plain stream and osu_bw's windowed one (64 in flight, 2000 = 31 windows of 64 and one of 16,
  // each acknowledged), every message verified.
  e = mpirun2({"run", "ipc_stream", "--backend", "mpi", "--param", "channel=mpi", "--param",
               "size=64,64Ki", "--param", "window=0,64", "--param", "placement=cross_core",
               "--param", "count=2000", "--reps", "2", "--quiet", "--out", prefix + "s"});
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
  rows = read_rows(prefix + "s.csv");
  REQUIRE(rows.size() == std::size_t{2} * 2 * 2);
  for (const auto& r : rows) {
    REQUIRE(r.status == "ok");
    REQUIRE(r.metric("mb_per_s") > 0);
  }
}

TEST_CASE("mpi: a rank stuck past the timeout ends the job, its error row and summary written",
          "[mpi][fault]") {
  if (const std::string why = mpi_skip_reason(); !why.empty()) {
    PARBENCH_SKIP(why);
  }
  test::TempDir dir;
  const std::string prefix = dir.path() + "/stuck";
  // 10 M round trips cannot finish in 1 s: rank 0's watchdog ends the job.
  const auto e = mpirun2({"run", "ipc_pingpong", "--backend", "mpi", "--param", "channel=mpi",
                          "--param", "size=64", "--param", "placement=cross_core", "--param",
                          "count=10000000", "--timeout", "1", "--reps", "1", "--out", prefix});
  INFO(e.out << e.err);
  REQUIRE(e.status == 1);
  const auto rows = read_rows(prefix + ".csv");
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].status == "error");
  REQUIRE_THAT(rows[0].error, Catch::Contains("timed out after 1 s"));
  const CsvTable summary = CsvTable::read(prefix + ".summary.csv");
  REQUIRE(summary.rows().size() == 1);
  REQUIRE(summary.rows()[0][*summary.column("errors")] == "1");
  const auto meta = test::read_json(prefix + ".meta.json");
  REQUIRE(meta["run"]["complete"] == false);
  REQUIRE_THAT(meta["run"]["ended_by"].get<std::string>(), Catch::Contains("timed out"));
  // No rank outlives the job: no process still names this run's output on its command line.
  for (const auto& p : fs::directory_iterator("/proc")) {
    std::ifstream in(p.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    REQUIRE(cmdline.find(prefix) == std::string::npos);
  }
}

TEST_CASE("mpi: more workers than ranks is bad input on every rank, nothing written", "[mpi]") {
  if (const std::string why = mpi_skip_reason(); !why.empty()) {
    PARBENCH_SKIP(why);
  }
  test::TempDir dir;
  const auto e =
      mpirun2({"run", "cpu_sum", "--backend", "mpi", "--workers", "3", "--out", dir.path() + "/x"});
  INFO(e.out << e.err);
  REQUIRE(e.status == 2);
  REQUIRE_THAT(e.err, Catch::Contains("--workers") && Catch::Contains("mpirun -np 3"));
  REQUIRE(dir.files().empty());
}

TEST_CASE("the mpi backend outside mpirun is unsupported with the reason, never a timing",
          "[mpi][cli]") {
  test::TempDir dir;
  const std::string prefix = dir.path() + "/u";
  const auto e =
      test::run_parbench({"run", "cpu_sum", "--backend", "mpi,thread", "--workers", "1", "--param",
                          "n=1e6", "--reps", "2", "--quiet", "--out", prefix});
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
  const auto rows = read_rows(prefix + ".csv");
  bool saw_mpi = false;
  for (const auto& r : rows) {
    if (r.backend != "mpi") {
      REQUIRE(r.status == "ok");
      continue;
    }
    saw_mpi = true;
    REQUIRE(r.status == "unsupported");
    REQUIRE_FALSE(r.wall_ns);
    REQUIRE_THAT(r.error, Catch::Contains(mpi::compiled() ? "mpirun" : "without MPI"));
  }
  REQUIRE(saw_mpi);
}

TEST_CASE("merge: reports from several machines become one, the host a column", "[merge][cli]") {
  test::TempDir dir;
  const std::string a = dir.path() + "/a", b = dir.path() + "/b", all = dir.path() + "/all";
  for (const auto& prefix : {a, b}) {
    const auto e =
        test::run_parbench({"run", "sleep", "--param", "ms=1", "--backend", "thread", "--workers",
                            "1,2", "--reps", "3", "--quiet", "--out", prefix});
    REQUIRE(e.status == 0);
  }

  SECTION("two runs on one machine need labels; nothing is written without them") {
    const auto e = test::run_parbench({"merge", a + ".csv", b + ".csv", "--out", all});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains(host_name()) && Catch::Contains("--label"));
    REQUIRE_FALSE(fs::exists(all + ".csv"));
    REQUIRE_FALSE(fs::exists(all + ".summary.csv"));
  }
  SECTION("bad input: one report, a missing one, a label count off, --out over an input") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"merge", a + ".csv", "--out", all},
             {"merge", a + ".csv", dir.path() + "/missing.csv", "--out", all},
             {"merge", a, b, "--label", "x", "--out", all},
             {"merge", a, b, "--label", "x,y", "--out", a}}) {
      const auto e = test::run_parbench(args);
      INFO(e.err);
      REQUIRE(e.status == 2);
      REQUIRE_FALSE(fs::exists(all + ".csv"));
    }
  }
  SECTION("labelled: every row kept under its machine, summary per host, machines described") {
    const auto e =
        test::run_parbench({"merge", a + ".csv", b, "--label", "left,right", "--out", all});
    INFO(e.err);
    REQUIRE(e.status == 0);
    const auto rows = read_rows(all + ".csv");
    REQUIRE(rows.size() == std::size_t{2} * 2 * 3);
    std::map<std::string, int> per_host;
    for (const auto& r : rows) ++per_host[r.host];
    REQUIRE(per_host == std::map<std::string, int>{{"left", 6}, {"right", 6}});
    const CsvTable summary = CsvTable::read(all + ".summary.csv");
    REQUIRE(summary.rows().size() == 4);
    const auto host = *summary.column("host"), speedup = *summary.column("speedup");
    for (const auto& row : summary.rows()) {
      REQUIRE((row[host] == "left" || row[host] == "right"));
      REQUIRE_FALSE(row[speedup].empty());  // each host's 2 workers against its own 1
    }
    const auto meta = test::read_json(all + ".meta.json");
    REQUIRE(meta["machines"].size() == 2);
    REQUIRE(meta["machines"][0]["host"] == "left");
    REQUIRE(meta["machines"][0]["machine"]["hostname"] == host_name());
    REQUIRE(meta["machines"][1]["source"] == b + ".csv");

    // compare matches the merged report's cases host by host, and report draws it.
    const auto c = test::run_parbench({"compare", all, all});
    INFO(c.out << c.err);
    REQUIRE(c.status == 0);
    REQUIRE_THAT(c.out, Catch::Contains("host=left"));
    const auto r = test::run_parbench({"report", all});
    INFO(r.err);
    REQUIRE(r.status == 0);
    std::ifstream html(all + ".report.md");
    const std::string text((std::istreambuf_iterator<char>(html)), {});
    // The host tells the cases apart, so it is a column of the case table; both machines are
    // described. Which host the headline names as fastest depends on the timings.
    REQUIRE_THAT(text, Catch::Contains("4 cases: 4 ok, 0 failed, 0 unsupported on 2 machines"));
    REQUIRE_THAT(text, Catch::Contains("| backend | workers | host |"));
    REQUIRE_THAT(text, Catch::Contains("| thread | 2 | left |") &&
                           Catch::Contains("| thread | 2 | right |"));
    REQUIRE_THAT(text, Catch::Contains("== left (from") && Catch::Contains("== right (from"));
  }
}
