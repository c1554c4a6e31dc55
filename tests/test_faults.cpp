// Fault drills: what a run does when the machine, the user or a signal gets in its way. Each case
// here is a drill that once failed: a hang, a false error row, a torn file, a survivor.
#include <fmt/core.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "interrupt.hpp"
#include "launcher.hpp"
#include "rows_csv.hpp"
#include "run_workers.hpp"
#include "support.hpp"

using namespace parbench;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Every file of a report is whole: it ends with a newline and reads back.
void require_whole_report(const std::string& prefix) {
  for (const char* ext : {".csv", ".timeline.csv"}) {
    const std::string text = test::slurp(prefix + ext);
    INFO(prefix + ext);
    REQUIRE_FALSE(text.empty());
    REQUIRE(text.back() == '\n');
  }
  REQUIRE_NOTHROW(read_rows(prefix + ".csv"));
  REQUIRE_NOTHROW(test::read_json(prefix + ".meta.json"));
}

// Processes whose environment holds `tag` (NAME=VALUE): a run's descendants, whoever their parent.
int processes_tagged(const std::string& tag, const std::string& in_command_line = "") {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream env(e.path() / "environ", std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(env), {}};
    if (text.find(tag + '\0') == std::string::npos) continue;
    std::ifstream cmdline(e.path() / "cmdline", std::ios::binary);
    const std::string cmd{std::istreambuf_iterator<char>(cmdline), {}};
    if (cmd.find(in_command_line) != std::string::npos) ++n;
  }
  return n;
}

// Processes (and threads, which RLIMIT_NPROC counts too) of one user.
int processes_of_uid(uid_t uid) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    struct stat st {};
    if (std::isdigit(e.path().filename().string()[0]) == 0 || stat(e.path().c_str(), &st) != 0)
      continue;
    if (st.st_uid != uid) continue;
    std::error_code ec;
    n += static_cast<int>(
        std::distance(fs::directory_iterator(e.path() / "task", ec), fs::directory_iterator()));
  }
  return n;
}

// Kills a started run's process group if the test leaves before it is reaped (a failed REQUIRE).
struct KillOnExit {
  pid_t pid;
  ~KillOnExit() {
    if (kill(pid, 0) == 0) {
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// The signal handlers parbench installs stay for the rest of a test binary; put them back.
struct DefaultSignalsAfter {
  ~DefaultSignalsAfter() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    set_interrupt_for_testing(0);
  }
};

}  // namespace

TEST_CASE("drill 1: a worker thread that cannot be created is an error row at once, not a hang",
          "[faults]") {
  if (geteuid() != 0 || !test::have_program("setpriv") || !test::have_program("prlimit")) {
    PARBENCH_SKIP("needs root, setpriv and prlimit to run parbench as nobody under RLIMIT_NPROC");
  }
  test::TempDir dir;
  chmod(dir.path().c_str(), 0777);  // nobody writes the report there
  // The limit counts every process and thread of the user: leave room for parbench, its sandbox
  // and two threads, so the third of eight threads cannot be created.
  const int nobody_now = processes_of_uid(65534);
  const std::string prefix = dir.path() + "/r";
  const auto start = std::chrono::steady_clock::now();
  const auto e =
      test::run_program({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                         "prlimit", fmt::format("--nproc={}", nobody_now + 4), PARBENCH_BINARY,
                         "run", "cpu_sum", "--backend", "thread", "--workers", "8", "--param",
                         "n=1e6", "--reps", "1", "--warmup", "0", "--timeout", "60", "--quiet",
                         // nobody has no cache of limits: measuring them takes ~10 s,
                         // twice on a busy machine, and is not what this drill times
                         "--no-limits", "--out", prefix});
  INFO(e.err);
  REQUIRE(std::chrono::steady_clock::now() - start < 30s);
  REQUIRE(e.status == 1);
  const auto rows = read_rows(prefix + ".csv");
  REQUIRE(rows.size() == 1);
  REQUIRE_THAT(rows[0].error, Catch::Contains("cannot start worker thread"));
}

TEST_CASE("drill 2: workers killed by the run's own Ctrl-C are the interrupt, not a failure",
          "[faults]") {
  const DefaultSignalsAfter restore;
  install_interrupt_handlers();
  const WorkerLauncher& backend = process_launcher();
  SECTION("the signal reached parbench and the worker (a Ctrl-C to the process group)") {
    const RunSpec spec{2, {}, 20s, {}};
    REQUIRE_THROWS_AS(run_workers(backend, spec,
                                  [](const WorkerContext& ctx) {
                                    if (ctx.index != 0) return;
                                    kill(getppid(), SIGINT);
                                    raise(SIGINT);
                                  }),
                      Interrupted);
    REQUIRE(test::child_pids().empty());
  }
  SECTION("a worker killed by SIGINT alone, the run not interrupted, is an error") {
    const RunSpec spec{1, {}, 20s, {}};
    const RunResult r = run_workers(backend, spec, [](const WorkerContext&) { raise(SIGINT); });
    REQUIRE_THAT(r.error, Catch::Contains("killed by signal 2"));
  }
}

TEST_CASE("drill 2: Ctrl-C, SIGTERM and SIGHUP to the whole process group write no error row",
          "[faults]") {
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(300, 1000);
  int trial = 0;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGINT, SIGTERM, SIGINT}) {
    test::TempDir dir;
    const std::string prefix = dir.path() + "/r";
    const pid_t pid =
        test::start_parbench({"run", "cpu_sum", "ipc_stream", "--param", "channel=fifo", "--reps",
                              "1000", "--warmup", "0", "--quiet", "--no-limits", "--out", prefix});
    const KillOnExit guard{pid};
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    kill(-pid, sig);
    INFO("trial " << ++trial << ": signal " << sig);
    REQUIRE(test::wait_exit(pid) == 130);
    for (const auto& r : read_rows(prefix + ".csv")) {
      INFO(r.workload << " " << r.backend << ": " << r.error);
      REQUIRE(r.status != "error");
    }
    const auto meta = test::read_json(prefix + ".meta.json");
    REQUIRE(meta["run"]["interrupted_by_signal"] == sig);
  }
}

TEST_CASE("drill 3: a full disk keeps whole rows, says why, and exits 3", "[faults]") {
  SECTION("a row that does not fit is cut back to the last whole line") {
    test::TempDir dir;
    const std::string path = dir.path() + "/rows.csv";
    // RLIMIT_FSIZE fails writes past 1000 bytes as a full disk would (EFBIG), part-way through.
    ChildProcess child = ChildProcess::fork_and_run([&] {
      signal(SIGXFSZ, SIG_IGN);
      const rlimit lim{1000, 1000};
      setrlimit(RLIMIT_FSIZE, &lim);
      CsvWriter w(path);
      for (int i = 0;; ++i) {
        try {
          w.write_row({"cpu_sum", std::to_string(i), std::string(57, 'x')});
        } catch (const ReportWriteError&) {
          try {  // the next write fails again, and still tears nothing
            w.write_row({"cpu_sum", "again", std::string(57, 'x')});
          } catch (const ReportWriteError&) {
            return i > 5 ? 0 : 2;
          }
          return 3;
        }
      }
    });
    REQUIRE(child.reap() == 0);
    const std::string text = test::slurp(path);
    REQUIRE(text.size() <= 1000);
    REQUIRE(text.back() == '\n');
    std::istringstream lines(text);
    int n = 0;
    for (std::string line; std::getline(lines, line); ++n) {
      REQUIRE(line == fmt::format("cpu_sum,{},{}", n, std::string(57, 'x')));
    }
    REQUIRE(n > 5);
  }
  SECTION("parbench run under a file-size limit") {
    if (!test::have_program("prlimit")) {
      PARBENCH_SKIP("no prlimit");
    }
    test::TempDir dir;
    const std::string prefix = dir.path() + "/r";
    // Room for meta.json, written first with space to grow (about 13 KB with the machine's limits
    // and the load each was taken under), and less than the rows and timeline of 60 repetitions.
    const auto e = test::run_program({"/usr/bin/prlimit", "--fsize=20000", PARBENCH_BINARY, "run",
                                      "cpu_sum", "--param", "n=1e4", "--workers", "1,2", "--reps",
                                      "60", "--quiet", "--out", prefix});
    INFO(e.err);
    REQUIRE(e.status == 3);
    REQUIRE_THAT(e.err, Catch::Contains("cannot write the report") &&
                            Catch::Contains("rows written before are whole"));
    require_whole_report(prefix);
    const auto meta = test::read_json(prefix + ".meta.json");
    REQUIRE(meta["run"]["complete"] == false);
    REQUIRE_THAT(meta["run"]["ended_by"].get<std::string>(),
                 Catch::Contains("could not be written"));
  }
}

TEST_CASE("drill 4: Python workers die with a SIGKILLed parbench", "[faults][python]") {
  if (!test::have_program("python3")) {
    PARBENCH_SKIP("no python3");
  }
  test::TempDir dir;
  const std::string tag = fmt::format("PARBENCH_DRILL_TAG={}", getpid());
  const pid_t pid = test::start_parbench(
      {"run", "sleep", "--backend", "py_process", "--workers", "2", "--param", "ms=60000", "--reps",
       "1", "--warmup", "0", "--quiet", "--no-limits", "--out", dir.path() + "/r"},
      {tag});
  const KillOnExit guard{pid};
  // The interpreter running the workload and its multiprocessing children, which share its
  // command line (--mode ...): two children once both have started, and a loaded machine may take
  // seconds to start the second. Other processes pass by before the run (the interpreter asked
  // what it is, and with pyenv its shim's shells), so the count must hold 100 ms later.
  for (int i = 0; i < 400; ++i) {
    if (processes_tagged(tag, "--mode") >= 3) {
      std::this_thread::sleep_for(100ms);
      if (processes_tagged(tag, "--mode") >= 3) break;
    }
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(processes_tagged(tag) >= 3);
  kill(pid, SIGKILL);
  REQUIRE(test::wait_exit(pid) == 128 + SIGKILL);
  for (int i = 0; i < 100 && processes_tagged(tag) > 0; ++i) std::this_thread::sleep_for(50ms);
  REQUIRE(processes_tagged(tag) == 0);
}

TEST_CASE("drill 5: SIGHUP keeps rows, summary and meta.json with the signal, exit 130",
          "[faults]") {
  test::TempDir dir;
  const std::string prefix = dir.path() + "/r";
  const pid_t pid = test::start_parbench({"run", "sleep", "--param", "ms=20", "--reps", "1000",
                                          "--warmup", "0", "--no-limits", "--out", prefix});
  const KillOnExit guard{pid};
  std::this_thread::sleep_for(700ms);
  kill(pid, SIGHUP);
  REQUIRE(test::wait_exit(pid) == 130);
  REQUIRE_FALSE(read_rows(prefix + ".csv").empty());
  REQUIRE(fs::exists(prefix + ".summary.csv"));
  const auto meta = test::read_json(prefix + ".meta.json");
  REQUIRE(meta["run"]["interrupted_by_signal"] == SIGHUP);
  REQUIRE(meta["run"]["ended_by"] == "interrupted by SIGHUP");
}

TEST_CASE(
    "drills 6, 9, 10: bad input names the option, the value and what is allowed, exit 2, "
    "nothing written",
    "[faults][cli]") {
  test::TempDir dir;
  const std::string out = dir.path() + "/out/x";
  // The messages themselves: tests/test_cli.cpp, "bad input: a clear message, exit 2, ...".
  SECTION("--out that is empty or a directory") {
    for (const std::string& bad : {std::string(), dir.path() + "/d/", dir.path()}) {
      const auto e = test::run_parbench({"run", "cpu_sum", "--out", bad}, dir.path());
      INFO(bad << ": " << e.err);
      REQUIRE(e.status == 2);
      REQUIRE_THAT(e.err, Catch::Contains("--out"));
      REQUIRE(dir.files().empty());
    }
  }
  SECTION("integers take the same forms as parameters: --reps 2e0") {
    const auto e =
        test::run_parbench({"run", "sleep", "--param", "ms=1", "--workers", "1", "--backend",
                            "thread", "--reps", "2e0", "--warmup", "0", "--quiet", "--out", out});
    INFO(e.err);
    REQUIRE(e.status == 0);
    REQUIRE(read_rows(out + ".csv").size() == 2);
  }
}
