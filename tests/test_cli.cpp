// The parbench binary as a user meets it: exit statuses, messages, and what is (not) written.
#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "csv_reader.hpp"
#include "registry.hpp"
#include "rows_csv.hpp"
#include "support.hpp"

using namespace parbench;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Processes in process group `pgid`: a run started as its own group leader passes its group to
// every worker, so workers that outlived it would be counted here, and nothing else.
int processes_in_group(pid_t pgid) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state = 0;
    int ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("bad input: a clear message, exit 2, nothing written", "[cli]") {
  test::TempDir dir;
  const std::string out = dir.path() + "/out/x";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", "nope"}, "unknown workload or suite 'nope'"},
      {{"run", "cpu_sum", "--workers", "0"}, "'0' is not a worker count"},
      {{"run", "cpu_sum", "--workers", "-1"}, "--workers"},
      {{"run", "cpu_sum", "--workers", "1,,2"}, "empty item"},
      {{"run", "cpu_sum", "--workers", "two"}, "'two' is not a worker count"},
      {{"run", "cpu_sum", "--param", "size=3"}, "unknown parameter 'size'"},
      {{"run", "cpu_sum", "--param", "n=0"}, "out of range"},
      {{"run", "cpu_sum", "--param", "scaling=sideways"}, "one of strong, weak"},
      {{"run", "cpu_sum", "--backend", "thread,fiber"}, "unknown backend 'fiber'"},
      {{"run", "cpu_sum", "--reps", "0"}, "--reps"},
      {{"run", "cpu_sum", "--reps", "many"}, "--reps"},
      {{"run", "cpu_sum", "--pin", "9999"}, "not available"},
      {{"run", "cpu_sum", "--timeout", "-1"}, "--timeout"},
      {{"run"}, "targets"},
      {{"frobnicate"}, "frobnicate"},
      // Fault drills 6, 9 and 10 (tests/test_faults.cpp).
      {{"run", "cpu_sum", "--timeout", "1e10"}, "--timeout: 10000000000 is not allowed"},
      {{"run", "cpu_sum", "--timeout", "1e300"}, "at most 604800"},
      {{"run", "cpu_sum", "--timeout", "inf"}, "--timeout: inf"},
      {{"run", "cpu_sum", "--timeout", "nan"}, "--timeout"},
      {{"run", "cpu_sum", "--param", "n=1e6", "--param", "n=2e6"}, "--param n=1e6,2e6"},
      {{"run", "cpu_sum", "--workers", ""}, "--workers: empty value"},
      {{"run", "cpu_sum", "--backend", ""}, "--backend: empty value"},
      {{"run", "cpu_sum", "--workers", "1,1"}, "'1' is listed twice"},
      {{"run", "cpu_sum", "cpu_sum"}, "'cpu_sum' is listed twice"},
      {{"run", "cpu_sum", "--backend", "thread,thread"}, "'thread' is listed twice"},
      {{"run", "cpu_sum", "--reps", "1e12"}, "--reps: '1e12' is not allowed; expected an integer"},
      {{"run", "cpu_sum", "--reps", "2", "--reps", "3"}, "--reps is given more than once"},
      {{"run", "cpu_sum", "--warmup", "-1"}, "--warmup"},
      {{"run", "cpu_sum", "--workers", "4-1"}, "is not a range"},
      {{"run", "sleep", "ms=2"}, "give it as --param ms=2"},
      {{"run", "slep"}, "did you mean 'sleep'?"},
      {{"run", "cpu_sum", "--filter", "nothing matches this"}, "matches none of the"},
      {{"run", "cpu_sum", "--context", "no-equals-sign"},
       "--context: 'no-equals-sign' is not KEY=VALUE"},
  };
  for (auto [args, message] : cases) {
    args.insert(args.end(), {"--out", out});
    const auto e = test::run_parbench(args, dir.path());
    INFO(fmt::format("{}", fmt::join(args, " ")) << "\nstderr: " << e.err);
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains(message));
    REQUIRE(std::count(e.err.begin(), e.err.end(), '\n') <=
            2);  // one clear line, plus a usage hint
    REQUIRE(dir.files().empty());
  }
}

TEST_CASE("selection as users type it: commas, ranges, short flags, --dry-run writes nothing",
          "[cli]") {
  test::TempDir dir;
  const auto dry =
      test::run_parbench({"run", "sleep,spawn", "-b", "thread", "-w", "1-2", "-p", "ms=1",
                          "--filter", "sleep", "--dry-run", "-o", dir.path() + "/x"},
                         dir.path());
  INFO(dry.err);
  REQUIRE(dry.status == 0);
  REQUIRE_THAT(dry.out, Catch::Contains("sleep thread w=1 pin=none ms=1") &&
                            Catch::Contains("sleep thread w=2 pin=none ms=1") &&
                            Catch::Contains("2 case(s) x 11 repetitions"));
  REQUIRE_THAT(dry.out, !Catch::Contains("spawn thread"));  // filtered out
  REQUIRE(dir.files().empty());
}

TEST_CASE("progress: one line per finished case when not on a terminal, --json, export", "[cli]") {
  test::TempDir dir;
  const std::string prefix = dir.path() + "/r";
  const auto e =
      test::run_parbench({"run", "sleep", "-p", "ms=1", "-w", "1,2", "-b", "thread", "-r", "3",
                          "--json", "--no-limits", "--context", "ticket=PERF-12", "-o", prefix});
  INFO(e.err);
  REQUIRE(e.status == 0);
  REQUIRE_THAT(e.err, Catch::Contains("[1/2] sleep thread w=") &&
                          Catch::Contains("[2/2] sleep thread w=") && Catch::Contains("cv ") &&
                          Catch::Contains("ok; 00:0") && Catch::Contains("elapsed"));
  const auto doc = test::read_json(prefix + ".json");
  REQUIRE(doc["meta"]["run"]["context"]["ticket"] == "PERF-12");
  const auto report = test::run_parbench({"report", prefix, "--format", "md"});
  REQUIRE_THAT(test::slurp(prefix + ".report.md"), Catch::Contains("Context: ticket=PERF-12"));
  // Plots that cannot be drawn at all: the report is written, says why, and the exit status is 1.
  const auto no_plots = test::run_parbench(
      {"report", prefix, "--format", "md", "--scripts", dir.path() + "/no-such-dir"});
  REQUIRE(no_plots.status == 1);
  REQUIRE_THAT(no_plots.err,
               Catch::Contains("no plot could be drawn") && Catch::Contains("no-such-dir"));
  REQUIRE_THAT(test::slurp(prefix + ".report.md"), Catch::Contains("No plot could be drawn"));
  REQUIRE(doc["parbench_json_version"] == 1);
  REQUIRE(doc["rows"].size() == 6);
  REQUIRE(doc["rows"][0]["workload"] == "sleep");
  REQUIRE(doc["rows"][0]["wall_ns"].is_number_integer());
  REQUIRE(doc["summary"].size() == 2);
  REQUIRE(doc["meta"]["run"]["complete"] == true);
  // --quiet: nothing on stderr. --report: the report written at the end, as `report` writes it.
  const auto quiet =
      test::run_parbench({"run", "sleep", "-p", "ms=1", "-b", "thread", "-w", "1", "-r", "3", "-q",
                          "--no-limits", "--report", "-o", dir.path() + "/q"});
  REQUIRE(quiet.status == 0);
  REQUIRE(quiet.err.empty());
  REQUIRE_THAT(quiet.out, Catch::Contains("q.report.html"));
  REQUIRE_THAT(test::slurp(dir.path() + "/q.report.md"),
               Catch::Contains("## Per workload") && Catch::Contains("### sleep"));
  // Google Benchmark's JSON: every repetition and the aggregates; compare reads it back.
  const auto gb =
      test::run_parbench({"export", prefix, "--format", "gbench", "-o", dir.path() + "/gb.json"});
  REQUIRE(gb.status == 0);
  const auto g = test::read_json(dir.path() + "/gb.json");
  REQUIRE(g["benchmarks"].size() == 6 + 2 * 3);
  REQUIRE(std::any_of(g["benchmarks"].begin(), g["benchmarks"].end(), [](const auto& b) {
    return b["name"] == "sleep/thread/workers:1/pin:none/ms:1" && b["run_type"] == "iteration";
  }));
  const auto back =
      test::run_parbench({"compare", dir.path() + "/gb.json", dir.path() + "/gb.json"});
  INFO(back.out << back.err);
  REQUIRE(back.status == 0);
  REQUIRE_THAT(back.out, Catch::Contains("0 regressed"));
  const auto action = test::run_parbench({"export", prefix, "--format", "github-action-benchmark"});
  REQUIRE(action.status == 0);
  const auto a = nlohmann::json::parse(action.out);
  REQUIRE(a.size() >= 2);
  REQUIRE(a[0]["unit"] == "ns");
  REQUIRE(a[0]["value"].get<double>() > 0);
  const auto bad = test::run_parbench({"export", prefix, "--format", "xml"});
  REQUIRE(bad.status == 2);
  REQUIRE_THAT(bad.err, Catch::Contains("expected json, gbench or github-action-benchmark"));
}

TEST_CASE("list and env describe what can be run and where", "[cli]") {
  const auto list = test::run_parbench({"list"});
  REQUIRE(list.status == 0);
  // The built-in ones: the test binary also registers short-form workloads of its own.
  for (const auto& w : all_workloads()) {
    if (!is_user_workload(w->name()))
      REQUIRE_THAT(list.out, Catch::Contains(std::string(w->name())));
  }
  REQUIRE_THAT(list.out, Catch::Contains("thread") && Catch::Contains("process") &&
                             Catch::Contains("default"));
  const auto env = test::run_parbench({"env"});
  REQUIRE(env.status == 0);
  REQUIRE_THAT(env.out,
               Catch::Contains("cpu") && Catch::Contains("kernel") && Catch::Contains("cache"));
  const auto python = test::run_parbench({"list", "--python"});
  REQUIRE(python.status == 0);
  REQUIRE_THAT(python.out, Catch::Contains("multiprocessing.Queue") &&
                               Catch::Contains("--param channel=Queue") &&
                               Catch::Contains("multiprocessing.Manager"));
  // The completion script names every subcommand, workload and option, and is valid bash.
  test::TempDir dir;
  const auto completion = test::run_parbench({"completion", "bash"});
  REQUIRE(completion.status == 0);
  REQUIRE_THAT(completion.out, Catch::Contains("complete -F _parbench parbench") &&
                                   Catch::Contains("history") && Catch::Contains("cpu_sum") &&
                                   Catch::Contains("--workers") && Catch::Contains("channel="));
  { std::ofstream(dir.path() + "/c.bash") << completion.out; }
  REQUIRE(test::run_program({"/bin/bash", "-n", dir.path() + "/c.bash"}).status == 0);
  REQUIRE(test::run_parbench({"completion", "fish"}).status == 2);
  const auto json = test::run_parbench({"env", "--json"});
  REQUIRE(json.status == 0);
  const auto m = nlohmann::json::parse(json.out);
  REQUIRE(m["hardware_threads"].get<int>() >= 1);
  REQUIRE(m.contains("git_revision"));
  // What a reader needs to reproduce a figure: the build and the machine's modes (null where the
  // machine does not say, never absent).
  for (const char* key :
       {"git_dirty", "compile_flags", "march", "glibc", "smt", "transparent_hugepages", "turbo"}) {
    INFO(key);
    REQUIRE(m.contains(key));
  }
  REQUIRE(m["git_dirty"].is_boolean());
  REQUIRE(m["glibc"].get<std::string>().starts_with("2."));
}

TEST_CASE("a run writes rows, summary and machine description", "[cli]") {
  test::TempDir dir;
  const std::string prefix = dir.path() + "/r";
  const auto e = test::run_parbench({"run", "sleep", "--param", "ms=1", "--workers", "1,2",
                                     "--reps", "3", "--warmup", "1", "--out", prefix});
  INFO(e.err);
  REQUIRE(e.status == 0);
  REQUIRE_THAT(e.out, Catch::Contains("speedup"));
  ReportSchema schema;
  const auto rows = read_rows(prefix + ".csv", &schema);
  REQUIRE(rows.size() == std::size_t{2} * 2 * 3);  // backends x workers x reps; warm-up discarded
  REQUIRE(schema.params == std::vector<std::string>{"ms"});
  const CsvTable summary = CsvTable::read(prefix + ".summary.csv");
  REQUIRE(summary.rows().size() == 4);
  for (const char* col : {"reps", "median_wall_ns", "min_wall_ns", "mean_wall_ns", "stddev_wall_ns",
                          "cv", "p95_wall_ns", "ci95_lo_wall_ns", "speedup", "efficiency"}) {
    REQUIRE(summary.column(col));
  }
  const auto speedup = *summary.column("speedup");
  for (const auto& r : summary.rows()) REQUIRE_FALSE(r[speedup].empty());
  const auto meta = test::read_json(prefix + ".meta.json");
  REQUIRE(meta["run"]["complete"] == true);
  REQUIRE(meta["machine"].contains("cpu_model"));
  REQUIRE(meta["schema"]["work_units"]["sleep"] == "sleeps");
}

TEST_CASE("a failing case is an error row and exit status 1, the run goes on", "[cli]") {
  test::TempDir dir;
  const std::string prefix = dir.path() + "/r";
  const auto e = test::run_parbench({"run", "sleep", "--param", "ms=1,5000", "--workers", "1",
                                     "--backend", "process", "--reps", "2", "--warmup", "0",
                                     "--timeout", "0.5", "--out", prefix});
  REQUIRE(e.status == 1);
  const auto rows = read_rows(prefix + ".csv");
  REQUIRE(rows.size() == 3);  // two good repetitions of ms=1, one error row for ms=5000
  int errors = 0;
  for (const auto& r : rows) {
    if (!r.ok()) {
      ++errors;
      REQUIRE(*r.param("ms") == "5000");
      REQUIRE_THAT(r.error, Catch::Contains("timed out"));
    }
  }
  REQUIRE(errors == 1);
}

TEST_CASE("IPC runs leave no /dev/shm, /dev/mqueue or FIFO entry, finished or interrupted",
          "[cli][fault][ipc]") {
  const auto ipc_before = test::ipc_entries();
  test::TempDir dir;
  const std::string prefix = dir.path() + "/ipc";
  const auto done =
      test::run_parbench({"run", "ipc_pingpong", "ipc_stream", "--param", "size=64", "--param",
                          "count=100", "--reps", "1", "--warmup", "0", "--quiet", "--out", prefix});
  INFO(done.err);
  REQUIRE(done.status == 0);
  const auto rows = read_rows(prefix + ".csv");
  REQUIRE_FALSE(rows.empty());
  for (const auto& r : rows) {
    INFO(r.workload << " " << r.backend << " " << *r.param("channel") << ": " << r.error);
    REQUIRE((r.ok() || (r.unsupported() && *r.param("channel") == "inproc_queue")));
  }
  REQUIRE(test::ipc_entries_settled(ipc_before) == ipc_before);
}

namespace {

// Starts parbench with `args` in its own process group, sends SIGINT to it alone after `after`,
// and returns its exit status.
int interrupt_run(const std::vector<std::string>& args, std::chrono::milliseconds after,
                  pid_t* group) {
  // --no-limits: the signal must land in the run itself, not in a first measurement of the
  // machine's limits.
  std::vector<std::string> with = args;
  with.emplace_back("--no-limits");
  const pid_t pid = test::start_parbench(with);
  std::this_thread::sleep_for(after);
  kill(pid, SIGINT);
  *group = pid;
  return test::wait_exit(pid);
}

}  // namespace

TEST_CASE("Ctrl-C: workers stopped, rows kept, exit 130, nothing leaked", "[cli][fault]") {
  const auto ipc_before = test::ipc_entries();
  const auto tmp_before = test::temp_entries();
  // sleep: a run between repetitions or mid-repetition; the IPC run holds FIFOs and message queues
  // open in the middle of a transfer when the signal arrives.
  const std::vector<std::vector<std::string>> runs = {
      {"sleep", "--param", "ms=20", "--workers", "2"},
      {"ipc_pingpong", "--param", "channel=fifo,posix_mq,shm_queue", "--param", "size=64",
       "--param", "count=2000"},
  };
  for (const auto& run : runs) {
    for (const char* backend : {"thread", "process"}) {
      DYNAMIC_SECTION(run[0] << " " << backend) {
        test::TempDir dir;
        const std::string prefix = dir.path() + "/r";
        std::vector<std::string> args = {"run"};
        args.insert(args.end(), run.begin(), run.end());
        args.insert(args.end(), {"--backend", backend, "--reps", "100000", "--warmup", "0",
                                 "--quiet", "--out", prefix});
        pid_t group = 0;
        REQUIRE(interrupt_run(args, std::chrono::milliseconds(800), &group) == 130);
        const auto rows = read_rows(prefix + ".csv");
        REQUIRE_FALSE(rows.empty());
        for (const auto& r : rows) REQUIRE(r.ok());
        REQUIRE(test::read_json(prefix + ".meta.json")["run"]["complete"] == false);
        REQUIRE(fs::exists(prefix + ".summary.csv"));
        REQUIRE(processes_in_group(group) == 0);
        REQUIRE(test::ipc_entries_settled(ipc_before) == ipc_before);
        REQUIRE(test::temp_entries() == tmp_before);
      }
    }
  }
}
