// The machine's limits (parbench limits), the summary's of_limit columns computed from them, and
// the calibrated busy work behind cs_ns. Correctness only: present, positive, computed as defined;
// how fast this machine is shows in `parbench limits`, never here.
#include <fmt/core.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "busy_work.hpp"
#include "clock.hpp"
#include "limits.hpp"
#include "of_limit.hpp"
#include "stats.hpp"
#include "support.hpp"
#include "topology.hpp"

using namespace parbench;
namespace fs = std::filesystem;

namespace {

SummaryRow case_row(std::string workload, int workers,
                    std::vector<std::pair<std::string, std::string>> params) {
  SummaryRow r;
  r.workload = std::move(workload);
  r.backend = "process";
  r.pin = "none";
  r.host = "h";
  r.workers = workers;
  r.params = std::move(params);
  r.reps = 3;
  return r;
}

MachineLimits made_up_limits() {
  MachineLimits m;
  m.values = {
      {"cacheline_rtt_ns", "cross_core", "0+1", 0, 200.0, "ns", ""},
      {"futex_rtt_ns", "same_core", "0+0", 0, 5000.0, "ns", ""},
      {"futex_rtt_ns", "cross_core", "0+1", 0, 40000.0, "ns", ""},
      {"spsc_ring_4k_mb_per_s", "cross_core", "0+1", 0, 10000.0, "MB/s", ""},
      {"memcpy_l2_mb_per_s", "", "", 0, 40000.0, "MB/s", ""},
      {"speedup_ceiling", "", "0", 1, 1.0, "x", ""},
      {"speedup_ceiling", "", "0+1", 2, 1.9, "x", ""},
      {"speedup_ceiling", "", "0+1+2+3", 4, 3.5, "x", ""},
      {"memory_speedup_ceiling", "", "0", 1, 1.0, "x", ""},
      {"memory_speedup_ceiling", "", "0+1", 2, 1.4, "x", ""},
      {"memory_read_mb_per_s", "", "0", 1, 20000.0, "MB/s", ""},
      {"memory_read_mb_per_s", "", "0+1", 2, 28000.0, "MB/s", ""},
  };
  return m;
}

}  // namespace

TEST_CASE("every limit is measured and positive or unsupported with a reason", "[limits]") {
  const MachineLimits m = measure_limits();
  REQUIRE_FALSE(m.empty());
  REQUIRE(m.seconds > 0);
  REQUIRE(m.key == limits_key());
  for (const auto& name : {"clock_read_ns", "cacheline_cas_rtt_ns", "cacheline_rtt_ns",
                           "futex_rtt_ns", "memcpy_l2_mb_per_s", "memcpy_dram_mb_per_s",
                           "spsc_ring_4k_mb_per_s", "speedup_ceiling", "memory_speedup_ceiling",
                           "memory_read_mb_per_s", "thread_create_join_ns", "fork_exit_wait_ns"}) {
    INFO(name);
    REQUIRE(std::any_of(m.values.begin(), m.values.end(),
                        [&](const LimitValue& v) { return v.name == name; }));
  }
  for (const auto& v : m.values) {
    INFO(v.name << " " << v.placement << ": " << v.unsupported);
    REQUIRE(v.value.has_value() == v.unsupported.empty());
    if (v.value) REQUIRE(*v.value > 0);
  }
  // One CPU cannot bounce a line by spinning; a blocking round trip on one CPU always works.
  REQUIRE_FALSE(m.get("cacheline_rtt_ns", "same_core").has_value());
  REQUIRE(m.get("futex_rtt_ns", "same_core").has_value());
  // The ceiling is measured for every count of CPUs up to 16, starting from 1 alone (1.0 exactly).
  const int cpus = static_cast<int>(allowed_cpus().size());
  REQUIRE(m.speedup_ceiling(1) == Approx(1.0));
  for (int n = 1; n <= std::min(cpus, 16); ++n) REQUIRE(m.speedup_ceiling(n).has_value());
  if (cpus >= 2) REQUIRE(m.get("cacheline_rtt_ns", "cross_core").has_value());

  // What goes into meta.json comes back the same.
  const MachineLimits back = MachineLimits::from_json(m.to_json());
  REQUIRE(back.values.size() == m.values.size());
  REQUIRE(back.get("futex_rtt_ns", "same_core") == m.get("futex_rtt_ns", "same_core"));
  REQUIRE(back.key == m.key);
  REQUIRE(MachineLimits::from_json(nlohmann::json("not limits")).empty());
}

TEST_CASE("the speedup ceiling is interpolated between measured counts and flat beyond them",
          "[limits]") {
  const MachineLimits m = made_up_limits();
  REQUIRE(*m.speedup_ceiling(2) == Approx(1.9));
  REQUIRE(*m.speedup_ceiling(3) == Approx(2.7));  // halfway from 1.9 at 2 to 3.5 at 4
  REQUIRE(*m.speedup_ceiling(64) == Approx(3.5));
  REQUIRE_FALSE(m.speedup_ceiling(0).has_value());
  REQUIRE_FALSE(MachineLimits{}.speedup_ceiling(2).has_value());
}

TEST_CASE("of_limit is the case's figure as a share of the limit that applies to it",
          "[limits][summary]") {
  NoiseRule noise;
  noise.cpu_bound = {"cpu_sum", "mem_sum"};
  noise.memory_bound = {"mem_sum"};
  std::vector<SummaryRow> rows;
  rows.push_back(case_row("cpu_sum", 2, {}));
  rows.back().speedup = 1.71;
  // A memory-bound case by its bandwidth, whatever its speedup (1.6x here, past the memory
  // speedup ceiling of 1.4x: its 1-worker case was slower than one thread reads).
  rows.push_back(case_row("mem_sum", 2, {}));
  rows.back().speedup = 1.6;
  rows.back().metric_medians = {{"mb_per_s", 25200.0}};
  rows.push_back(case_row(
      "ipc_pingpong", 2,
      {{"channel", "shm_ring"}, {"size", "8"}, {"wait", "spin"}, {"placement", "cross_core"}}));
  rows.back().metric_medians = {{"rtt_p50_ns", 400.0}};
  rows.push_back(case_row(
      "ipc_pingpong", 2,
      {{"channel", "pipe"}, {"size", "64"}, {"wait", "block"}, {"placement", "same_core"}}));
  rows.back().metric_medians = {{"rtt_p50_ns", 6250.0}};
  rows.push_back(case_row(
      "ipc_stream", 2,
      {{"channel", "shm_ring"}, {"size", "4096"}, {"wait", "spin"}, {"placement", "cross_core"}}));
  rows.back().metric_medians = {{"mb_per_s", 9000.0}};
  rows.push_back(case_row("ipc_stream", 2,
                          {{"channel", "shm_ring"},
                           {"size", "1048576"},
                           {"wait", "spin"},
                           {"placement", "cross_core"}}));
  rows.back().metric_medians = {{"mb_per_s", 30000.0}};
  // A 4 KiB stream on one CPU: memcpy halved (the CPU copies in and out).
  rows.push_back(case_row(
      "ipc_stream", 2,
      {{"channel", "shm_ring"}, {"size", "4096"}, {"wait", "block"}, {"placement", "same_core"}}));
  rows.back().metric_medians = {{"mb_per_s", 3000.0}};
  // No limit applies: a spinning round trip on one CPU, a 1 MiB round trip, a failed case.
  rows.push_back(case_row(
      "ipc_pingpong", 2,
      {{"channel", "shm_ring"}, {"size", "8"}, {"wait", "spin"}, {"placement", "same_core"}}));
  rows.back().metric_medians = {{"rtt_p50_ns", 50000.0}};
  rows.push_back(case_row(
      "ipc_pingpong", 2,
      {{"channel", "pipe"}, {"size", "1048576"}, {"wait", "block"}, {"placement", "cross_core"}}));
  rows.back().metric_medians = {{"rtt_p50_ns", 2e6}};
  // A channel that crosses hosts (mpi): no probe of one machine bounds it.
  rows.push_back(
      case_row("ipc_pingpong", 2,
               {{"channel", "mpi"}, {"size", "8"}, {"wait", "block"}, {"placement", "none"}}));
  rows.back().metric_medians = {{"rtt_p50_ns", 20000.0}};
  rows.push_back(case_row("cpu_sum", 2, {}));
  rows.back().errors = 1;
  rows.back().speedup = 1.5;

  add_limits(rows, made_up_limits(), noise, test::registered_roles());
  REQUIRE(*rows[0].limit == Approx(1.9));
  REQUIRE(*rows[0].of_limit == Approx(1.71 / 1.9));
  REQUIRE(rows[0].limit_name == "speedup ceiling at 2 workers");
  REQUIRE(*rows[1].limit == Approx(28000.0));  // memory-bound: 2 threads' read bandwidth
  REQUIRE(*rows[1].of_limit == Approx(0.9));
  REQUIRE(rows[1].limit_name == "memory read bandwidth, 2 threads");
  REQUIRE(*rows[2].of_limit == Approx(200.0 / 400.0));  // a time: limit / figure
  REQUIRE(*rows[3].limit == Approx(5000.0));
  REQUIRE(*rows[3].of_limit == Approx(0.8));
  REQUIRE(*rows[4].of_limit == Approx(0.9));
  REQUIRE(*rows[5].of_limit == Approx(0.75));
  REQUIRE(*rows[6].limit == Approx(20000.0));
  REQUIRE(*rows[6].of_limit == Approx(0.15));
  for (std::size_t i = 7; i < rows.size(); ++i) {
    INFO(i);
    REQUIRE_FALSE(rows[i].limit.has_value());
    REQUIRE_FALSE(rows[i].of_limit.has_value());
    REQUIRE(rows[i].limit_name.empty());
  }
  // Without limits (--no-limits, an older report) the cells stay empty.
  std::vector<SummaryRow> again = {rows[0]};
  again[0].limit.reset();
  again[0].of_limit.reset();
  add_limits(again, MachineLimits{}, noise, test::registered_roles());
  REQUIRE_FALSE(again[0].of_limit.has_value());
}

TEST_CASE("locks, semaphores, events and barriers are measured against a hand-off's trip",
          "[limits][summary]") {
  NoiseRule noise;
  noise.cpus = 2;
  std::vector<SummaryRow> rows;
  // Spinning waiters (no context switch): one cache line's one way (100 ns) per hand-off.
  rows.push_back(case_row("lock_contention", 2, {{"lock", "ticket"}, {"cs_ns", "0"}}));
  rows.back().metric_medians = {{"ops_per_s", 4e6}, {"handoff_rate", 0.5}};
  rows.back().work_units = 4e5;
  rows.back().vol_ctx_switches = 0;
  // Every waiter slept, pinned within the CPUs: the cross-CPU wake-up's one way (20 us).
  rows.push_back(case_row("lock_contention", 2, {{"lock", "flock"}, {"cs_ns", "0"}}));
  rows.back().pin = "spread";
  rows.back().metric_medians = {{"ops_per_s", 1e5}, {"handoff_rate", 0.2}};
  rows.back().work_units = 1e4;
  rows.back().vol_ctx_switches = 5e3;  // more than the 2000 hand-offs: the share stops at 1
  // Unpinned: the cheaper same-CPU wake-up (2.5 us) bounds it.
  rows.push_back(rows.back());
  rows.back().pin = "none";
  rows.push_back(case_row("semaphore", 4, {{"mechanism", "futex"}, {"k", "4"}, {"cs_ns", "1000"}}));
  rows.back().metric_medians = {{"ops_per_s", 1.5e6}};
  rows.push_back(case_row("event", 2, {{"mechanism", "futex"}}));
  rows.back().metric_medians = {{"wake_p50_ns", 5000.0}};
  // Half the waits slept: an arrival's line (100 ns) and a release half line, half wake-up.
  rows.push_back(case_row("barrier", 2, {{"mechanism", "futex"}}));
  rows.back().pin = "compact";
  rows.back().metric_medians = {{"crossing_p50_ns", 20000.0}};
  rows.back().work_units = 1000;
  rows.back().vol_ctx_switches = 500;
  // No limit: one worker hands off nothing; the atomic kinds count no hand-offs.
  rows.push_back(case_row("lock_contention", 1, {{"lock", "ticket"}, {"cs_ns", "0"}}));
  rows.back().metric_medians = {{"ops_per_s", 6e7}, {"handoff_rate", 1e-7}};
  rows.push_back(case_row("lock_contention", 2, {{"lock", "atomic"}, {"cs_ns", "0"}}));
  rows.back().metric_medians = {{"ops_per_s", 6e7}};

  // A sleep against the requested ms; spawn has no limit (docs/limits.md says why).
  rows.push_back(case_row("spawn", 1, {{"method", "thread"}, {"count", "200"}}));
  rows.back().metric_medians = {{"spawn_p50_ns", 80000.0}};
  rows.push_back(case_row("sleep", 2, {{"ms", "50"}}));
  rows.back().wall_ns = Summary{};
  rows.back().wall_ns->n = 3;
  rows.back().wall_ns->median = 5.2e7;
  rows.push_back(case_row("spawn", 1, {{"method", "posix_spawn"}, {"count", "200"}}));
  rows.back().metric_medians = {{"spawn_p50_ns", 400000.0}};

  add_limits(rows, made_up_limits(), noise, test::registered_roles());
  REQUIRE_FALSE(rows[8].of_limit.has_value());
  REQUIRE(*rows[9].of_limit == Approx(5e7 / 5.2e7));
  REQUIRE(rows[9].limit_name == "the requested sleep");
  REQUIRE_FALSE(rows[10].of_limit.has_value());
  REQUIRE(*rows[0].limit == Approx(1e9 / 100));
  REQUIRE(*rows[0].of_limit == Approx(2e6 / 1e7));
  REQUIRE_THAT(rows[0].limit_name, Catch::Contains("0% woken"));
  REQUIRE(*rows[1].limit == Approx(1e9 / 20000));
  REQUIRE(*rows[1].of_limit == Approx(2e4 / 5e4));
  REQUIRE_THAT(rows[1].limit_name, Catch::Contains("100% woken"));
  REQUIRE(*rows[2].limit == Approx(1e9 / 2500));
  REQUIRE(*rows[3].limit == Approx(2e6));  // 2 CPUs inside at once, 1 us each
  REQUIRE(*rows[3].of_limit == Approx(0.75));
  REQUIRE(*rows[4].limit == Approx(2500.0));  // unpinned: the same-CPU wake-up's one way
  REQUIRE(*rows[4].of_limit == Approx(0.5));
  REQUIRE(*rows[5].limit == Approx(100 + (0.5 * 20000 + 0.5 * 100)));
  for (std::size_t i = 6; i < 8; ++i) {
    INFO(i);
    REQUIRE_FALSE(rows[i].of_limit.has_value());
  }
}

TEST_CASE("a limit taken while the machine was busy says so, in the table and in meta.json",
          "[limits]") {
  MachineLimits m = made_up_limits();
  m.values[0].other_load_pct = 35.0;  // cacheline_rtt_ns: busy
  m.values[0].steal_pct = 1.0;
  m.values[1].other_load_pct = 12.0;  // futex same_core: below the threshold
  m.values[2].steal_pct = 8.0;        // futex cross_core: the hypervisor took more than 5%
  REQUIRE(m.taken_under_load() == 2);
  REQUIRE(m.values[0].under_load() == "35% other load, 1% steal");
  REQUIRE(m.values[1].under_load().empty());
  const MachineLimits back = MachineLimits::from_json(m.to_json());
  REQUIRE(back.taken_under_load() == 2);
  REQUIRE(*back.values[1].other_load_pct == Approx(12.0));
  REQUIRE_FALSE(back.values[3].other_load_pct.has_value());
  const std::string table = format_limits_table(back);
  REQUIRE_THAT(table, Catch::Contains("(taken under load: 35% other load, 1% steal)"));
  REQUIRE_THAT(table, Catch::Contains("2 of them taken while the machine was busy"));
  REQUIRE_THAT(format_limits_table(made_up_limits()), !Catch::Contains("busy"));
}

TEST_CASE("a calibrated busy loop of N ns takes between N/2 and 2N", "[limits]") {
  REQUIRE(busy_ns_per_iteration() > 0);
  for (const std::int64_t n : {std::int64_t{20'000}, std::int64_t{2'000'000}}) {
    // The fastest of 21, in this thread's CPU time: the calibration is the fastest of its runs,
    // and neither may count the time another process had the CPU (tests run two at a time).
    double fastest = 0;
    for (int i = 0; i < 21; ++i) {
      const ThreadUsage u0 = thread_usage();
      busy_for(n);
      const ThreadUsage u1 = thread_usage();
      const auto took = static_cast<double>(u1.user_ns + u1.sys_ns - u0.user_ns - u0.sys_ns);
      fastest = i == 0 ? took : std::min(fastest, took);
    }
    INFO(n << " ns took at fastest " << fastest << " ns of CPU time");
    REQUIRE(fastest >= 0.5 * static_cast<double>(n));
    REQUIRE(fastest <= 2.0 * static_cast<double>(n));
  }
}

TEST_CASE("parbench limits prints the table and writes the CSV and run attaches them to meta.json",
          "[limits][cli]") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("parbench-limits-{}", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string prefix = (dir / "m").string();
  const auto lim = test::run_parbench({"limits", "--out", prefix});
  INFO(lim.err);
  REQUIRE(lim.status == 0);
  REQUIRE_THAT(lim.out, Catch::Contains("cacheline_rtt_ns") && Catch::Contains("speedup_ceiling"));
  const std::string csv = test::slurp(prefix + ".limits.csv");
  REQUIRE(csv.starts_with("name,placement,cpus,workers,value,unit,unsupported\n"));
  REQUIRE(csv.find("\nfutex_rtt_ns,same_core,") != std::string::npos);

  const auto run =
      test::run_parbench({"run", "cpu_sum", "--backend", "thread", "--workers", "1,2", "--reps",
                          "1", "--warmup", "0", "--quiet", "--out", (dir / "r").string()});
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto meta = test::read_json((dir / "r.meta.json").string());
  const MachineLimits attached = MachineLimits::from_json(meta["machine"]["limits"]);
  REQUIRE_FALSE(attached.empty());
  REQUIRE(meta["run"]["calibration"]["busy_ns_per_iteration"].get<double>() > 0);
  REQUIRE(meta["run"]["profile"] == false);
  const std::string summary = test::slurp((dir / "r.summary.csv").string());
  REQUIRE_THAT(summary, Catch::Contains(",limit_name,limit,of_limit") &&
                            Catch::Contains("speedup ceiling at 2 workers"));

  const auto none = test::run_parbench({"run", "cpu_sum", "--backend", "thread", "--workers", "1",
                                        "--reps", "1", "--warmup", "0", "--quiet", "--no-limits",
                                        "--out", (dir / "n").string()});
  REQUIRE(none.status == 0);
  REQUIRE_FALSE(test::read_json((dir / "n.meta.json").string())["machine"].contains("limits"));

  const auto bad = test::run_parbench({"limits", "--out", dir.string() + "/"});
  REQUIRE(bad.status == 2);
  REQUIRE_FALSE(fs::exists(dir.string() + "/.limits.csv"));
  fs::remove_all(dir);
}
