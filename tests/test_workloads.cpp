// Every registered workload runs end to end on every backend in its smoke configuration, verifies
// its own result, and its CSV reads back with the CSV parser. A wrong result is an error row.
#include <catch2/catch.hpp>
#include <set>

#include "registry.hpp"
#include "runner.hpp"
#include "support.hpp"

using namespace parbench;

namespace {

// A workload whose result is always wrong, to show the verification path ends in an error row.
class WrongAnswer final : public Workload {
  class Exp final : public Experiment {
   public:
    void work(const WorkerContext& /*ctx*/) override {}
    Metrics after_rep(const RepInfo& /*rep*/, const RunResult& /*run*/) override {
      throw VerificationError("sum is 41, closed form says 42");
    }
    [[nodiscard]] double work_units(const RepInfo& /*rep*/) const override { return 1; }
  };

 public:
  [[nodiscard]] std::string_view name() const override { return "wrong_answer"; }
  [[nodiscard]] std::string_view summary() const override { return ""; }
  [[nodiscard]] std::string_view work_unit() const override { return "items"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override { return {}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& /*info*/) const override {
    return std::make_unique<Exp>();
  }
};

}  // namespace

TEST_CASE("every workload runs end to end on every backend", "[workload][smoke]") {
  for (const auto& w : all_workloads()) {
    DYNAMIC_SECTION(w->name()) {
      RunRequest req;
      req.targets = {std::string(w->name())};
      req.workers = {1, 2};
      req.reps = 2;
      req.warmup = 1;
      req.timeout_s = 60;
      for (const auto& [name, value] : w->smoke_params()) req.params.push_back({name, {value}});
      const RunPlan plan = make_plan(req);

      test::TempDir dir;
      const std::string path = dir.path() + "/smoke.csv";
      {
        RowsCsvSink sink(path, plan.schema);
        REQUIRE(execute_plan(plan, sink));
      }
      ReportSchema schema;
      const auto rows = read_rows(path, &schema);
      std::size_t ok = 0, unsupported = 0;
      std::set<std::string> metrics_seen;
      for (const auto& r : rows) {
        INFO(r.backend << " workers=" << r.workers << " error=" << r.error);
        REQUIRE((r.ok() || r.unsupported()));
        if (r.unsupported()) {
          ++unsupported;  // one row, with its reason, instead of the case's repetitions
          REQUIRE_FALSE(r.error.empty());
          continue;
        }
        ++ok;
        REQUIRE(r.wall_ns);
        REQUIRE(*r.wall_ns > 0);
        REQUIRE(r.work_units.value_or(0) > 0);
        for (const auto& spec : w->params()) REQUIRE(r.param(spec.name) != nullptr);
        for (const auto& m : w->metrics()) {
          if (r.metric(m.name)) metrics_seen.insert(m.name);
        }
      }
      // A metric may be empty where it does not apply (handoff_rate without a lock), never absent
      // from every row.
      for (const auto& m : w->metrics()) REQUIRE(metrics_seen.count(m.name) == 1);
      REQUIRE(ok > 0);
      REQUIRE(ok + unsupported * 2 == plan.case_count() * 2);
      REQUIRE(test::child_pids().empty());
    }
  }
}

TEST_CASE("a wrong result is an error row, once per case, never a timing", "[workload]") {
  WrongAnswer wrong;
  RunPlan plan;
  plan.reps = 3;
  plan.warmup = 0;
  plan.timeout = std::chrono::seconds(30);
  CaseGroup g;
  g.workload = &wrong;
  g.cases.push_back({all_backends().front().get(), 1, PinPolicy::none(), {}, ""});
  plan.groups.push_back(g);
  test::MemorySink sink;
  REQUIRE_FALSE(execute_plan(plan, sink));
  REQUIRE(sink.rows.size() == 1);
  REQUIRE(sink.rows[0].status == "error");
  REQUIRE_THAT(sink.rows[0].error,
               Catch::Contains("wrong result") && Catch::Contains("closed form"));
  REQUIRE_FALSE(sink.rows[0].wall_ns);
}

TEST_CASE("repetitions of compared cases are interleaved", "[runner]") {
  RunRequest req;
  req.targets = {"sleep"};
  req.params = {{"ms", {"0"}}};
  req.workers = {1, 2};
  req.backends = {"thread"};
  req.reps = 3;
  req.warmup = 0;
  const RunPlan plan = make_plan(req);
  test::MemorySink sink;
  REQUIRE(execute_plan(plan, sink));
  std::vector<int> order;
  for (const auto& r : sink.rows) order.push_back(r.workers);
  REQUIRE(order == std::vector<int>{1, 2, 2, 1, 1, 2});  // A B, B A, A B
}
