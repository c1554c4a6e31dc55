// Pin policies on made-up machines (hwloc's synthetic topologies), so every policy is checked on
// SMT, multi-package and multi-node layouts this 2-vCPU VM does not have.
#include <catch2/catch.hpp>

#include "bad_input.hpp"
#include "pinning.hpp"
#include "plan.hpp"
#include "runner.hpp"
#include "support.hpp"
#include "topology.hpp"

using namespace parbench;

namespace {

std::vector<int> assign(const char* policy, int workers, const Topology& topo) {
  return PinPolicy::parse(policy).assign(workers, topo);
}

}  // namespace

TEST_CASE("pin policies on two NUMA nodes of two cores with two threads each", "[pin]") {
  // OS numbers follow the logical order: node 0 holds cores {0,1} and {2,3}, node 1 {4,5}, {6,7}.
  const Topology topo = Topology::synthetic("pack:2 numa:1 core:2 pu:2");
  REQUIRE(topo.pus == 8);
  REQUIRE(topo.core_pus == std::vector<std::vector<int>>{{0, 1}, {2, 3}, {4, 5}, {6, 7}});
  REQUIRE(topo.numa_pus == std::vector<std::vector<int>>{{0, 1, 2, 3}, {4, 5, 6, 7}});

  REQUIRE(assign("compact", 3, topo) == std::vector<int>{0, 1, 2});
  REQUIRE(assign("same-cpu", 3, topo) == std::vector<int>{0, 0, 0});
  REQUIRE(assign("same-core", 3, topo) == std::vector<int>{0, 1, 0});
  REQUIRE(assign("cross-core", 5, topo) == std::vector<int>{0, 2, 4, 6, 1});
  REQUIRE(assign("cross-numa", 4, topo) == std::vector<int>{0, 4, 2, 6});
  REQUIRE(assign("cross-numa", 5, topo) == std::vector<int>{0, 4, 2, 6, 1});
  const auto spread = assign("spread", 2, topo);
  REQUIRE(topo.numa_pus[0].front() <= spread[0]);
  REQUIRE(spread[0] < 4);
  REQUIRE(spread[1] >= 4);  // the other package
  for (const char* p : {"compact", "spread", "same-cpu", "same-core", "cross-core", "cross-numa"})
    REQUIRE_FALSE(PinPolicy::parse(p).unavailable(topo).has_value());
  REQUIRE(assign("none", 3, topo).empty());
}

TEST_CASE("without SMT same-core is one CPU, cross-numa needs two nodes", "[pin]") {
  const Topology topo = Topology::synthetic("core:4 pu:1");
  REQUIRE(assign("same-core", 2, topo) == std::vector<int>{0, 0});
  REQUIRE(assign("cross-core", 2, topo) == std::vector<int>{0, 1});
  const auto why = PinPolicy::parse("cross-numa").unavailable(topo);
  REQUIRE(why.has_value());
  REQUIRE_THAT(*why, Catch::Contains("2 or more NUMA nodes") && Catch::Contains("has 1"));
  REQUIRE(assign("cross-numa", 2, topo).empty());
}

TEST_CASE("a policy this machine cannot provide is an unsupported case, not a run", "[pin]") {
  RunRequest req;
  req.targets = {"sleep"};
  req.workers = {2};
  req.params = {{"ms", {"1"}}};
  req.pins = {"cross-numa", "cross-core"};
  req.backends = {"thread"};
  req.reps = 1;
  req.warmup = 0;
  const RunPlan plan = make_plan(req);
  test::MemorySink sink;
  REQUIRE(execute_plan(plan, sink));
  const bool two_nodes = Topology::get().numa_pus.size() >= 2;
  for (const Row& r : sink.rows) {
    if (r.pin == "cross-numa" && !two_nodes) {
      REQUIRE(r.status == "unsupported");
      REQUIRE_THAT(r.error, Catch::Contains("NUMA"));
    } else {
      REQUIRE(r.status == "ok");
    }
  }
  REQUIRE_THROWS_AS(PinPolicy::parse("cross_numa"), BadInput);
}
