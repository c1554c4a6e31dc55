// The user's own code: a Python function (pyfunc) on threads and processes and a shell command
// (command). Errors are rows that say what happened (the exception and where, the exit status and
// stderr, a command not found); a target that cannot run is exit 2 before anything is written;
// the interpreter is recorded; nothing a command started outlives a timeout.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "own_code.hpp"
#include "plan.hpp"
#include "python_bridge.hpp"
#include "runner.hpp"
#include "scripts_dir.hpp"
#include "support.hpp"

using namespace parbench;

namespace {

using Params = std::vector<std::pair<std::string, std::vector<std::string>>>;

std::vector<Row> run_rows(const std::string& workload, Params params, std::vector<int> workers,
                          std::vector<std::string> backends = {}, double timeout_s = 60) {
  RunRequest req;
  req.targets = {workload};
  req.backends = std::move(backends);
  req.workers = std::move(workers);
  req.params = std::move(params);
  req.reps = 1;
  req.warmup = 0;
  req.timeout_s = timeout_s;
  return test::run_request(req);
}

// A module of functions that fail in the ways a user's do.
std::string write_module(const test::TempDir& dir) {
  std::string path = dir.path() + "/mine.py";
  std::ofstream(path) << R"(import os
def boom(index, workers):
    return helper(index)
def helper(index):
    if index == 1:
        raise ValueError(f"no good for worker {index}")
    return index
def wrong(index, workers):
    return index
def check_wrong(results, workers):
    return f"expected {list(range(1, workers + 1))}, got {results}"
def pid(index, workers, tag=""):
    return (tag, os.getpid())
def check_pid(results, workers, tag=""):
    return len(results) == workers and all(t == tag for t, _ in results)
)";
  return path;
}

bool no_python() { return !python_interpreter().has_value(); }

// Processes whose command line contains `marker`.
int command_lines_with(const std::string& marker) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::ifstream f(e.path() / "cmdline");
    std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (cmd.find(marker) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("a user's function: its exception and a failed check are error rows", "[pyfunc]") {
  if (no_python()) PARBENCH_SKIP("no python3");
  test::TempDir dir;
  const std::string mine = write_module(dir);
  const auto boom = run_rows("pyfunc", {{"target", {mine + ":boom"}}}, {2});
  REQUIRE(boom.size() == 2);  // py_thread and py_process
  for (const auto& r : boom) {
    INFO(r.backend << ": " << r.error);
    REQUIRE(r.status == "error");
    // The type, the message and the innermost frames of the user's code, innermost first.
    REQUIRE_THAT(r.error, Catch::Contains("worker 1: ValueError: no good for worker 1") &&
                              Catch::Contains("mine.py:6 in helper <- mine.py:3 in boom"));
  }
  for (const auto& r : run_rows("pyfunc", {{"target", {mine + ":wrong"}}}, {2})) {
    INFO(r.backend << ": " << r.error);
    REQUIRE(r.status == "error");
    REQUIRE_THAT(r.error, Catch::StartsWith("wrong result: check mine:check_wrong: expected [1, "
                                            "2], got [0, 1]"));
  }
}

TEST_CASE("a user's function runs under every start method, and threads only by default",
          "[pyfunc]") {
  if (no_python()) PARBENCH_SKIP("no python3");
  test::TempDir dir;
  const std::string mine = write_module(dir);
  const auto rows = run_rows("pyfunc",
                             {{"target", {mine + ":pid"}},
                              {"kwargs", {R"({"tag": "a,b"})"}},
                              {"start", {"default,fork,spawn,forkserver"}}},
                             {2});
  std::set<std::string> ran;
  for (const auto& r : rows) {
    INFO(r.backend << " start=" << *r.param("start") << ": " << r.error);
    if (r.backend == "py_thread" && *r.param("start") != "default") {
      REQUIRE(r.unsupported());
      continue;
    }
    REQUIRE(r.ok());
    REQUIRE(r.metric("checked") == 1.0);  // check_pid: the kwargs passed on
    if (r.backend == "py_process") ran.insert(*r.param("start"));
  }
  REQUIRE(ran == std::set<std::string>{"default", "fork", "spawn", "forkserver"});
}

TEST_CASE("the shipped examples run verified on threads and processes", "[pyfunc]") {
  if (no_python()) PARBENCH_SKIP("no python3");
  const std::string examples = examples_dir() + "/python/own_code.py";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count_primes", R"({"n": 20000})"},
      {"sha256_blocks", R"({"blocks": 4})"},
      {"io_wait", R"({"waits": 4, "ms": 1})"}};
  for (const auto& [function, kwargs] : cases) {
    for (const auto& r :
         run_rows("pyfunc",
                  {{"target", {fmt::format("{}:{}", examples, function)}}, {"kwargs", {kwargs}}},
                  {1, 2})) {
      INFO(function << " " << r.backend << " w=" << r.workers << ": " << r.error);
      REQUIRE(r.ok());
      REQUIRE(r.metric("checked") == 1.0);
    }
  }
}

TEST_CASE("a target that cannot run is exit 2 before anything is written", "[pyfunc][cli]") {
  if (no_python()) PARBENCH_SKIP("no python3");
  test::TempDir dir;
  const std::string mine = write_module(dir);
  const std::string out = dir.path() + "/out/run";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"target=nothere:f", "cannot import nothere"},
      {fmt::format("target={}:missing", mine), "has no attribute missing"},
      {fmt::format("target={}:os", mine), "not callable"},
      {"target=no_colon", "is not MODULE:FUNCTION"},
      {"kwargs=[1]", "expected a JSON object"},
      {"python=/nonexistent/python", "no such interpreter"},
      {"check=" + mine + ":nothing", "has no attribute nothing"}};
  for (const auto& [param, says] : bad) {
    std::vector<std::string> args = {"run", "pyfunc", "-p", param, "-o", out, "-q"};
    if (param.rfind("target=", 0) != 0)
      args.insert(args.end(), {"-p", fmt::format("target={}:pid", mine)});
    const auto r = test::run_parbench(args);
    INFO(param << ": " << r.err);
    REQUIRE(r.status == 2);
    REQUIRE_THAT(r.err, Catch::Contains(says));
    REQUIRE_FALSE(std::filesystem::exists(dir.path() + "/out"));
  }
}

TEST_CASE("the interpreter a run used is in meta.json", "[pyfunc][cli]") {
  const auto python = python_interpreter();
  if (!python) PARBENCH_SKIP("no python3");
  test::TempDir dir;
  const std::string mine = write_module(dir);
  const std::string out = dir.path() + "/run";
  const auto r =
      test::run_parbench({"run", "pyfunc", "-p", fmt::format("target={}:pid", mine), "-p",
                          "python=" + *python, "-w", "1", "--reps", "1", "-o", out, "--no-limits"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto meta = test::read_json(out + ".meta.json");
  REQUIRE(meta["run"]["python"].size() == 1);
  const auto& used = meta["run"]["python"][0];
  REQUIRE(used["asked"] == *python);
  REQUIRE(used["version"].get<std::string>().find('.') != std::string::npos);
  REQUIRE(used["gil_enabled"].is_boolean());
  REQUIRE(used["executable"].get<std::string>().find("python") != std::string::npos);
  // The verdict table names the interpreter beside the function.
  REQUIRE_THAT(r.out, Catch::Contains("Your Python function") &&
                          Catch::Contains(used["version"].get<std::string>()));
}

TEST_CASE("a command's failures say what happened", "[command]") {
  const auto rows = run_rows("command",
                             {{"cmd", {"echo first >&2; echo 'the last line' >&2; exit 3"}},
                              {"cmd", {"parbench-no-such-command --flag"}},
                              {"count", {"2"}}},
                             {1});
  REQUIRE(rows.size() == 2);
  for (const auto& r : rows) {
    INFO(r.error);
    REQUIRE(r.status == "error");
    if (r.param("cmd")->find("exit 3") != std::string::npos) {
      REQUIRE_THAT(r.error, Catch::Contains("exited with status 3") &&
                                Catch::Contains("first the last line"));
    } else {
      REQUIRE_THAT(r.error, Catch::Contains("command not found") &&
                                Catch::Contains("parbench-no-such-command"));
    }
  }
  const auto prepared = run_rows("command", {{"prepare", {"exit 4"}}, {"count", {"1"}}}, {1});
  REQUIRE(prepared.size() == 1);
  REQUIRE_THAT(prepared[0].error, Catch::Contains("prepare 'exit 4' exited with status 4"));
}

TEST_CASE("a command's runs are counted, timed and compared with the floor", "[command]") {
  // A text parameter keeps its commas; a repeated one adds values.
  const auto rows = run_rows(
      "command", {{"cmd", {"test a,b = a,b"}}, {"cmd", {"true"}}, {"count", {"3"}}}, {1, 2});
  REQUIRE(rows.size() == 4);
  for (const auto& r : rows) {
    INFO(*r.param("cmd") << " w=" << r.workers << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(r.work_units == 3.0 * r.workers);
    REQUIRE(*r.metric("run_p50_ns") > 0);
    REQUIRE(*r.metric("run_p50_ns") <= *r.metric("run_p99_ns"));
    REQUIRE(*r.metric("floor_p50_ns") > 0);
  }
  RunRequest twice;
  twice.targets = {"cpu_sum"};
  twice.params = {{"n", {"1000"}}, {"n", {"2000"}}};
  REQUIRE_THROWS_WITH(make_plan(twice), Catch::Contains("--param n is given twice"));
}

TEST_CASE("nothing a command started outlives a timeout", "[command]") {
  // The shell forks the sleeps (it does not exec the last one when there are two): grandchildren.
  const std::string marker = "sleep 29.25";
  for (const char* backend : {"thread", "process"}) {
    const auto rows =
        run_rows("command", {{"cmd", {fmt::format("{} & {}", marker, marker)}}, {"count", {"1"}}},
                 {2}, {backend}, 0.5);
    REQUIRE(rows.size() == 1);
    REQUIRE_THAT(rows[0].error, Catch::Contains("timed out"));
    REQUIRE(command_lines_with(marker) == 0);
  }
}

TEST_CASE("the verdict on a function follows its speedups", "[pyfunc]") {
  REQUIRE_THAT(python_verdict(0.98, 1.9, 1.95, true), Catch::Contains("GIL-bound; use processes"));
  REQUIRE_THAT(python_verdict(1.9, 1.95, 1.95, true),
               Catch::Contains("releases the GIL; threads serve it as well"));
  REQUIRE_THAT(python_verdict(1.05, 1.1, 1.95, true), Catch::Contains("neither scales"));
  REQUIRE_THAT(python_verdict(1.4, 1.9, 1.95, true),
               Catch::Contains("releases the GIL only part of the time"));
  REQUIRE_THAT(python_verdict(1.9, 1.95, std::nullopt, true), Catch::Contains("threads 1.90x"));
  REQUIRE_THAT(python_verdict(1.0, 1.9, 1.95, false), Catch::Contains("threads do not scale"));
  REQUIRE_THAT(python_verdict(std::nullopt, 1.9, 1.95, true),
               Catch::Contains("threads did not run"));
}
