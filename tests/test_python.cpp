// The Python reference backends: rows in the same schema, verified results, unsupported (never
// zero) where a case has no Python version or there is no python3, error rows for a script that
// dies or hangs, and nothing left running afterwards. The claims table's verdicts from its rule.
#include <dirent.h>
#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "claims.hpp"
#include "plan.hpp"
#include "python_bridge.hpp"
#include "runner.hpp"
#include "stats.hpp"
#include "support.hpp"
#include "topology.hpp"

using namespace parbench;
using namespace std::chrono_literals;

namespace {

std::vector<Row> run_py(const std::string& workload,
                        std::vector<std::pair<std::string, std::vector<std::string>>> params,
                        std::vector<int> workers, double timeout_s = 60) {
  RunRequest req;
  req.targets = {workload};
  req.backends = {"py_thread", "py_process"};
  req.workers = std::move(workers);
  req.params = std::move(params);
  req.reps = 1;
  req.warmup = 0;
  req.timeout_s = timeout_s;
  return test::run_request(req);
}

// Processes running the Python script with this marker in their command line.
int processes_with(const std::string& marker) {
  int n = 0;
  DIR* proc = opendir("/proc");
  while (dirent* e = readdir(proc)) {
    std::string cmd;
    try {
      std::ifstream f(std::string("/proc/") + e->d_name + "/cmdline");
      cmd.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      continue;  // the process ended while its command line was read: ESRCH
    }
    if (cmd.find("parbench_py.py") != std::string::npos && cmd.find(marker) != std::string::npos)
      ++n;
  }
  closedir(proc);
  return n;
}

class EnvOverride {
 public:
  EnvOverride(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~EnvOverride() { unsetenv(name_); }
  EnvOverride(const EnvOverride&) = delete;
  EnvOverride& operator=(const EnvOverride&) = delete;

 private:
  const char* name_;
};

}  // namespace

TEST_CASE("the Python backends write verified rows in the schema", "[python]") {
  if (!python_interpreter()) {
    PARBENCH_SKIP("no python3 on this machine, so the Python backends are unavailable");
  }
  const auto rows = run_py("cpu_sum", {{"n", {"200000"}}}, {1, 2});
  REQUIRE(rows.size() == 4);
  for (const Row& r : rows) {
    INFO(r.backend << " " << r.workers << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE((r.backend == "py_thread" || r.backend == "py_process"));
    REQUIRE(r.wall_ns.value_or(0) > 0);
    REQUIRE(r.work_units.value_or(0) == 200000);
    REQUIRE(r.cpu_user_ns.has_value());
    REQUIRE(r.vol_ctx_switches.has_value());
    REQUIRE(!r.cycles.has_value());  // no hardware counters from Python: empty, not zero
  }
  // Metrics come back under the C++ workload's names.
  const auto sleeps = run_py("sleep", {{"ms", {"20"}}}, {3});
  for (const Row& r : sleeps) {
    INFO(r.backend << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(r.wall_ns.value_or(0) >= 20'000'000);
    // The latest wake-up past 20 ms fits inside the repetition.
    const auto oversleep = r.metric("max_oversleep_ns");
    REQUIRE(oversleep);
    REQUIRE(*oversleep >= 0);
    REQUIRE(*oversleep <= static_cast<double>(*r.wall_ns - 20'000'000));
  }
  const auto bank = run_py("bank", {{"lock", {"posix_sem"}}, {"ops", {"2000"}}}, {2});
  for (const Row& r : bank) {
    INFO(r.backend << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(r.metric("lost_updates") == 0.0);
  }
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("a case without a Python version, or without python3, is unsupported", "[python]") {
  if (python_interpreter()) {
    const auto rows = run_py("spawn", {{"method", {"fork"}}, {"count", {"3"}}}, {1});
    REQUIRE(rows.size() == 2);
    for (const Row& r : rows) {
      REQUIRE(r.unsupported());
      REQUIRE_THAT(r.error, Catch::Contains("no Python version"));
    }
    const auto lock = run_py("lock_contention", {{"lock", {"tas"}}, {"duration_ms", {"5"}}}, {1});
    for (const Row& r : lock) REQUIRE(r.unsupported());
  }
  EnvOverride none("PARBENCH_PYTHON", "/nonexistent/python3");
  const auto rows = run_py("cpu_sum", {{"n", {"1000"}}}, {1});
  REQUIRE(rows.size() == 2);
  for (const Row& r : rows) {
    REQUIRE(r.unsupported());
    REQUIRE_THAT(r.error, Catch::Contains("no python3"));
    REQUIRE(!r.wall_ns.has_value());
  }
}

TEST_CASE("a Python run that dies or hangs is an error row and leaves nothing running",
          "[python]") {
  if (!python_interpreter()) {
    PARBENCH_SKIP("no python3 on this machine, so the Python backends are unavailable");
  }
  SECTION("hangs past the timeout, with multiprocessing children") {
    const auto rows = run_py("sleep", {{"ms", {"987654"}}}, {3}, 1.5);
    REQUIRE(rows.size() == 2);
    for (const Row& r : rows) {
      REQUIRE(r.status == "error");
      REQUIRE_THAT(r.error, Catch::Contains("timed out"));
    }
    // The whole process group went, the multiprocessing workers included.
    for (int i = 0; i < 50 && processes_with("ms=987654") > 0; ++i)
      std::this_thread::sleep_for(20ms);
    REQUIRE(processes_with("ms=987654") == 0);
  }
  SECTION("the script dies without an answer") {
    test::TempDir dir;
    const std::string script = dir.path() + "/broken.py";
    std::ofstream(script) << "import sys\nsys.stderr.write('it broke here\\n')\nsys.exit(3)\n";
    EnvOverride s("PARBENCH_PY_SCRIPT", script);
    const auto rows = run_py("cpu_sum", {{"n", {"1000"}}}, {1});
    for (const Row& r : rows) {
      REQUIRE(r.status == "error");
      REQUIRE_THAT(r.error,
                   Catch::Contains("exited with status 3") && Catch::Contains("it broke here"));
    }
  }
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("the multiprocessing claims verdicts follow their rules", "[multiprocessing]") {
  const auto row = [](std::string workload, std::string backend, int workers,
                      std::vector<std::pair<std::string, std::string>> params, double wall_ns,
                      std::vector<std::pair<std::string, std::optional<double>>> metrics = {}) {
    SummaryRow s;
    s.workload = std::move(workload);
    s.backend = std::move(backend);
    s.workers = workers;
    s.params = std::move(params);
    s.reps = 3;
    s.wall_ns = Summary{};
    s.wall_ns->median = s.wall_ns->min = wall_ns;
    s.metric_medians = std::move(metrics);
    return s;
  };
  std::vector<SummaryRow> rows;
  const std::vector<std::pair<std::string, std::string>> cpu = {{"n", "10000000"},
                                                                {"scaling", "weak"}};
  rows.push_back(row("cpu_sum", "thread", 4, cpu, 10e6));
  rows.push_back(row("cpu_sum", "process", 4, cpu, 10e6));
  rows.push_back(row("cpu_sum", "py_thread", 4, cpu, 3e9));
  rows.push_back(row("cpu_sum", "py_process", 4, cpu, 1e9));
  for (const char* b : {"thread", "process", "py_thread"})
    rows.push_back(row("sleep", b, 10, {{"ms", "500"}}, 501e6));
  rows.push_back(row("sleep", "py_process", 10, {{"ms", "500"}}, 900e6));  // too slow: fails
  for (const char* b : {"thread", "process"}) {
    rows.push_back(
        row("bank", b, 2, {{"lock", "none"}, {"ops", "50000"}}, 1e6, {{"lost_updates", 120.0}}));
    rows.push_back(
        row("bank", b, 2, {{"lock", "posix_sem"}, {"ops", "50000"}}, 1e6, {{"lost_updates", 0.0}}));
  }
  const auto verdicts = judge_claims(rows, 2, {"thread", "process", "py_thread", "py_process"});
  const auto verdict = [&](const std::string& prefix) {
    for (const auto& s : verdicts) {
      if (s.scenario.starts_with(prefix)) return s.verdict;
    }
    return std::string("missing");
  };
  REQUIRE(verdict("cpu") == "holds");
  REQUIRE(verdict("sleep") == "holds on thread, process, py_thread only");
  REQUIRE(verdict("bank") == "holds");  // Python backends not measured: not counted against it
  REQUIRE(verdict("Semaphore") == "not measured");
  const std::string md = format_claims_markdown(verdicts);
  REQUIRE_THAT(md, Catch::Contains("| scenario | claim | thread | process | py_thread | py_process "
                                   "| verdict |"));
  REQUIRE_THAT(format_claims_text(verdicts), Catch::Contains("Rules"));
  for (const auto& s : verdicts) REQUIRE(s.limit.empty());  // no limits given: nothing claimed

  SECTION("the machine's limits explain the figures they bound") {
    MachineLimits m;
    m.values = {{"futex_rtt_ns", "same_core", "0+0", 0, 5000.0, "ns", ""},
                {"futex_rtt_ns", "cross_core", "0+1", 0, 40000.0, "ns", ""},
                {"futex_rtt_ns", "cross_core_busy", "0+1", 0, 20000.0, "ns", ""},
                {"speedup_ceiling", "", "0", 1, 1.0, "x", ""},
                {"speedup_ceiling", "", "0+1", 2, 1.8, "x", ""}};
    const auto explained =
        judge_claims(rows, 2, {"thread", "process", "py_thread", "py_process"}, m);
    const auto limit = [&](const std::string& prefix) {
      for (const auto& s : explained) {
        if (s.scenario.starts_with(prefix)) return s.limit;
      }
      return std::string("missing");
    };
    REQUIRE_THAT(limit("Pipe"), Catch::Contains("5 µs on one CPU") &&
                                    Catch::Contains("40 µs across CPUs when the other is idle"));
    REQUIRE_THAT(limit("cpu"), Catch::Contains("1.80x"));  // 4 workers on 2 CPUs: the last one
    REQUIRE(limit("bank").empty());
    REQUIRE_THAT(format_claims_text(explained), Catch::Contains("machine: a blocking wake-up"));
  }

  SECTION("a value a case lacks is not measured, never a zero that passes") {
    std::vector<SummaryRow> lacking;
    lacking.push_back(row("sleep", "thread", 10, {{"ms", "500"}}, 0));
    lacking.back().wall_ns.reset();  // "wall < 750 ms" would hold for a 0
    lacking.push_back(row("bank", "thread", 2, {{"lock", "none"}, {"ops", "50000"}}, 1e6,
                          {{"lost_updates", 5.0}}));
    lacking.push_back(row("bank", "thread", 2, {{"lock", "posix_sem"}, {"ops", "50000"}}, 1e6));
    const auto v = judge_claims(lacking, 2, {"thread"});
    for (const auto& s : v) {
      INFO(s.scenario);
      REQUIRE(s.verdict == "not measured");
    }
  }
  SECTION("the Event verdict is the workload's own check: its error row does not hold") {
    std::vector<SummaryRow> event;
    event.push_back(row("event", "thread", 5, {{"mechanism", "condvar"}, {"rounds", "200"}}, 1e6,
                        {{"wake_p50_ns", 5e4}, {"all_woken_p50_ns", 6e4}}));
    event.push_back(event.back());
    event.back().backend = "process";
    event.back().errors = 1;
    event.back().error = "wrong result: waiter 2 woke 199 times in 200 rounds";
    const auto v = judge_claims(event, 2, {"thread", "process"});
    const auto it =
        std::find_if(v.begin(), v.end(), [](const auto& s) { return s.scenario == "Event"; });
    REQUIRE(it != v.end());
    REQUIRE(it->verdict == "holds on thread only");
    REQUIRE_THAT(it->figures[1].second, Catch::Contains("woke 199 times"));
  }
}

TEST_CASE("the multiprocessing suite runs every scenario on four backends, --backend narrows it",
          "[multiprocessing][plan]") {
  RunRequest req;
  req.targets = {"multiprocessing"};
  const RunPlan plan = make_plan(req);
  REQUIRE(plan.reps == 3);  // the suite's own, as --reps is not given
  std::set<std::string> backends;
  std::set<int> oversubscribed;
  for (const auto& g : plan.groups) {
    for (const auto& c : g.cases) {
      backends.insert(std::string(c.backend->name()));
      if (g.workload->name() == "cpu_sum" && g.params.get("scaling") == "strong")
        oversubscribed.insert(c.workers);
    }
  }
  REQUIRE(backends == std::set<std::string>{"thread", "process", "py_thread", "py_process"});
  const int cpus = static_cast<int>(allowed_cpus().size());
  REQUIRE(oversubscribed == std::set<int>{cpus, 2 * cpus, 4 * cpus});
  req.backends = {"thread"};
  req.reps = 5;
  const RunPlan narrow = make_plan(req);
  REQUIRE(narrow.reps == 5);
  for (const auto& g : narrow.groups) {
    for (const auto& c : g.cases) REQUIRE(c.backend->name() == "thread");
  }
}

TEST_CASE("the Python bridge's statistics agree with the C++ ones on the same inputs",
          "[python][stats]") {
  if (!python_interpreter()) PARBENCH_SKIP("no python3 on this machine");
  const std::vector<double> values = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7};
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const std::vector<std::vector<double>> counts = {{10, 10, 10}, {30, 0, 0}, {5, 7, 11, 13}, {}};
  // The scripts' own functions, imported, on the same values; one number per line.
  const std::string program = fmt::format(
      "import sys; sys.path.insert(0, '{}/scripts/py'); import parbench_py_core as p\n"
      "v = sorted({})\n"
      "for q in (0, 0.25, 0.5, 0.9, 0.99, 1): print(repr(p.quantile(v, q)))\n"
      "for c in {}: print(repr(p.jain(c)))\n",
      PARBENCH_SOURCE_DIR, nlohmann::json(values).dump(), nlohmann::json(counts).dump());
  const auto e = test::run_program({*python_interpreter(), "-c", program});
  INFO(e.err);
  REQUIRE(e.status == 0);
  std::istringstream lines(e.out);
  for (double q : {0.0, 0.25, 0.5, 0.9, 0.99, 1.0}) {
    double py = 0;
    lines >> py;
    INFO("quantile " << q);
    REQUIRE(py == Approx(quantile_sorted(sorted, q)).epsilon(1e-12));
  }
  for (const auto& c : counts) {
    double py = 0;
    lines >> py;
    REQUIRE(py == Approx(jain_index(c)).epsilon(1e-12));
  }
}
