// The synchronization workloads on every mechanism and backend, through the runner: a counting
// semaphore never admits more than k, every event waiter wakes for every round it was set for,
// barriers hold every worker until all have arrived. Each workload also checks itself (a breach is
// an error row); these tests additionally read the invariants back from the reported metrics.
#include <catch2/catch.hpp>

#include "runner.hpp"
#include "summary.hpp"
#include "support.hpp"
#include "sync_comparison.hpp"

using namespace parbench;

namespace {

std::vector<Row> run(const std::string& workload, std::vector<int> workers,
                     std::vector<std::pair<std::string, std::vector<std::string>>> params) {
  RunRequest req;
  req.targets = {workload};
  req.workers = std::move(workers);
  req.reps = 1;
  req.warmup = 0;
  req.params = std::move(params);
  test::MemorySink sink;
  execute_plan(make_plan(req), sink);
  return sink.rows;
}

}  // namespace

TEST_CASE("a counting semaphore of k never admits more than k", "[sync][semaphore]") {
  // Four workers contend for two slots on every mechanism and backend.
  const auto rows =
      run("semaphore", {4}, {{"k", {"2"}}, {"cs_ns", {"2000"}}, {"duration_ms", {"30"}}});
  REQUIRE(rows.size() == 6);  // 3 mechanisms x 2 backends
  for (const auto& r : rows) {
    INFO(r.backend << " " << *r.param("mechanism") << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(*r.metric("max_inside") >= 1);
    REQUIRE(*r.metric("max_inside") <= 2);
    REQUIRE(*r.work_units > 0);
  }
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("every event waiter wakes once for every round, and the waits are voluntary switches",
          "[sync][event]") {
  const auto rows = run("event", {3}, {{"rounds", {"100"}}, {"gap_us", {"50"}}});
  REQUIRE(rows.size() == 8);  // 4 mechanisms x 2 backends
  for (const auto& r : rows) {
    INFO(r.backend << " " << *r.param("mechanism") << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(*r.work_units == 200);  // 100 rounds x 2 waiters, each checked by the workload
    REQUIRE(*r.metric("wake_p50_ns") > 0);
    REQUIRE(*r.metric("wake_p50_ns") <= *r.metric("wake_p99_ns"));
    REQUIRE(*r.metric("wake_p99_ns") <= *r.metric("wake_max_ns"));
    // The setter sleeps between rounds, so every round it blocks at least once: the kernel's
    // count of voluntary switches cannot be below the round count.
    REQUIRE(*r.vol_ctx_switches >= 100);
  }
}

TEST_CASE("a barrier holds every worker until all have arrived", "[sync][barrier]") {
  // No more workers than this machine has CPUs: the spin barrier with preempted workers is a
  // measurement (it collapses), not a test.
  const auto rows = run("barrier", {2}, {{"duration_ms", {"30"}}});
  REQUIRE(rows.size() == 8);  // 4 mechanisms x 2 backends
  for (const auto& r : rows) {
    INFO(r.backend << " " << *r.param("mechanism") << ": " << r.error);
    if (*r.param("mechanism") == "std_barrier" && r.backend == "process") {
      REQUIRE(r.unsupported());
      REQUIRE_THAT(r.error, Catch::Contains("threads only"));
      continue;
    }
    REQUIRE(r.ok());
    REQUIRE(*r.work_units > 0);
    REQUIRE(*r.metric("crossing_p50_ns") > 0);
  }
}

TEST_CASE("the workloads that need a setter and a waiter say so for one worker", "[sync][event]") {
  const auto rows = run("event", {1}, {{"mechanism", {"futex"}}, {"rounds", {"10"}}});
  REQUIRE(rows.size() == 2);
  for (const auto& r : rows) {
    REQUIRE(r.unsupported());
    REQUIRE_THAT(r.error, Catch::Contains("2 or more workers"));
  }
}

TEST_CASE("the locks comparison ranks by the most workers and marks what cannot run",
          "[sync][report]") {
  auto row = [](const std::string& lock, const std::string& backend, int workers, double ops) {
    Row r;
    r.workload = "lock_contention";
    r.backend = backend;
    r.workers = workers;
    r.pin = "none";
    r.params = {{"lock", lock}, {"cs_ns", "0"}};
    r.rep = 1;
    r.wall_ns = 100'000'000;
    r.work_units = ops / 10;
    r.metrics = {{"ops_per_s", ops}, {"jain", 0.5}};
    return r;
  };
  std::vector<Row> rows = {row("ticket", "thread", 1, 40e6), row("ticket", "thread", 4, 0.2e6),
                           row("futex_mutex", "thread", 1, 30e6),
                           row("futex_mutex", "thread", 4, 12e6)};
  Row na = row("std_mutex", "process", 1, 0);
  na.status = "unsupported";
  na.error = "threads only";
  na.metrics.clear();
  rows.push_back(na);
  const ReportSchema schema{{"lock", "cs_ns"}, {"ops_per_s", "jain"}};
  const std::string table =
      format_sync_comparison(summarize_rows(rows, schema), test::registered_roles());
  INFO(table);
  const auto futex = table.find("futex_mutex"), ticket = table.find("ticket"),
             mutex = table.find("std_mutex");
  REQUIRE(futex != std::string::npos);
  REQUIRE(ticket != std::string::npos);
  REQUIRE(futex < ticket);  // 12M beats 0.2M at 4 workers, although ticket wins at 1
  REQUIRE(ticket < mutex);
  REQUIRE_THAT(table, Catch::Contains("12.00M") && Catch::Contains("cs_ns=0"));
  REQUIRE_THAT(table.substr(mutex), Catch::Contains("n/a"));
  REQUIRE(format_sync_comparison({}, test::registered_roles()).empty());
  // A report whose meta.json declares no roles (written before roles were) has no table.
  REQUIRE(format_sync_comparison(summarize_rows(rows, schema), WorkloadRoles{}).empty());
}
