// The short form of a workload (simple_workload.hpp), registered here as a user's file would:
// the smoke test then runs it on every backend with the built-in ones, and these cases check what
// it adds (its parameters, the split of the items, the check).
#include <fmt/core.h>

#include <catch2/catch.hpp>

#include "plan.hpp"
#include "registry.hpp"
#include "runner.hpp"
#include "simple_workload.hpp"
#include "support.hpp"

using namespace parbench;

namespace {

// The sum of i over [begin, end): the workers' sums add up to items(items-1)/2; `off` > 0 makes
// every worker add it, so the check fails.
const bool registered = register_simple_workload({
    .name = "simple_sum",
    .summary = "sum of i over the items, short form",
    .unit = "terms",
    .items = 100'000,
    .params = {ParamSpec::integer("off", "added by every worker: a wrong result", {"0"}, 0, 1)},
    .work =
        [](const SimpleWorker& w) {
          std::uint64_t sum = 0;
          for (std::int64_t i = w.begin; i < w.end; ++i) sum += static_cast<std::uint64_t>(i);
          return sum + static_cast<std::uint64_t>(w.param_int("off"));
        },
    .check = [](const SimpleCheck& c) -> std::string {
      std::uint64_t sum = 0;
      for (const std::uint64_t r : c.results) sum += r;
      const auto n = static_cast<std::uint64_t>(c.items);
      const std::uint64_t expected = n * (n - 1) / 2;
      return sum == expected ? "" : fmt::format("sum {} != {}", sum, expected);
    },
});

std::vector<Row> run_rows(const RunRequest& req) {
  test::MemorySink sink;
  execute_plan(make_plan(req), sink);
  return sink.rows;
}

}  // namespace

TEST_CASE("a short-form workload is registered as the user's, with items and scaling",
          "[workload]") {
  REQUIRE(registered);
  REQUIRE_NOTHROW(check_workload_registry());
  const Workload* w = find_workload("simple_sum");
  REQUIRE(w != nullptr);
  REQUIRE(is_user_workload("simple_sum"));
  REQUIRE_FALSE(is_user_workload("cpu_sum"));
  REQUIRE(w->checks_result());
  REQUIRE(w->runs_on_mpi());
  std::vector<std::string> names;
  for (const auto& p : w->params()) names.push_back(p.name);
  REQUIRE(names == std::vector<std::string>{"items", "scaling", "off"});
}

TEST_CASE("a short-form workload splits its items, scales weakly and fails its check as an error",
          "[workload]") {
  RunRequest req;
  req.targets = {"simple_sum"};
  req.backends = {"thread", "process"};
  req.workers = {1, 3};
  req.reps = 2;
  req.warmup = 0;
  req.params = {{"scaling", {"strong", "weak"}}};
  const auto rows = run_rows(req);
  REQUIRE(rows.size() == 16);
  for (const auto& r : rows) {
    INFO(r.error);
    REQUIRE(r.ok());
    const double items = *r.param("scaling") == "weak" ? 100'000.0 * r.workers : 100'000.0;
    REQUIRE(r.work_units == Approx(items));
  }
  req.params = {{"off", {"1"}}};
  req.workers = {2};
  for (const auto& r : run_rows(req)) {
    REQUIRE(r.status == "error");
    REQUIRE_THAT(r.error, Catch::Contains("simple_sum: sum"));
  }
}
