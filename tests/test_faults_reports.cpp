// Fault drills on what runs leave behind: reports that are not what they claim, a merge that
// must check before it writes, leftovers of SIGKILLed runs, and many workers under a descriptor
// limit. Each case here is a drill that once failed.
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

// A PID that no process has: a child that has been reaped (reuse within the test is unlikely).
pid_t dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

// A small real report to break in the drills below.
std::string make_report(const std::string& prefix) {
  const auto e =
      test::run_parbench({"run", "sleep", "--param", "ms=1", "--workers", "1", "--backend",
                          "thread", "--reps", "3", "--warmup", "0", "--quiet", "--out", prefix});
  REQUIRE(e.status == 0);
  return test::slurp(prefix + ".csv");
}

// Rewrites a CSV file through `edit`, which gets the header and the rows as cells.
void edit_csv(const std::string& from, const std::string& to,
              const std::function<void(std::vector<std::vector<std::string>>&)>& edit) {
  const CsvTable t = CsvTable::read(from);
  std::vector<std::vector<std::string>> lines = {t.header()};
  lines.insert(lines.end(), t.rows().begin(), t.rows().end());
  edit(lines);
  std::ofstream out(to, std::ios::trunc);
  for (const auto& cells : lines) out << csv_line(cells);
}

void move_column(const std::string& from, const std::string& to, const std::string& column,
                 std::size_t new_index) {
  edit_csv(from, to, [&](auto& lines) {
    const auto index = static_cast<std::ptrdiff_t>(
        std::find(lines[0].begin(), lines[0].end(), column) - lines[0].begin());
    for (auto& cells : lines) {
      const std::string moved = cells[static_cast<std::size_t>(index)];
      cells.erase(cells.begin() + index);
      cells.insert(cells.begin() + static_cast<std::ptrdiff_t>(std::min(new_index, cells.size())),
                   moved);
    }
  });
}

}  // namespace

TEST_CASE("drills 8, 10: reports that are not what they claim are refused by name", "[faults]") {
  test::TempDir dir;
  const std::string a = dir.path() + "/a";
  make_report(a);
  auto compare_fails = [&](const std::string& other, const std::string& message) {
    const auto e = test::run_parbench({"compare", a + ".csv", other});
    INFO(other << ": " << e.err);
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains(message));
  };
  SECTION("rep before host") {
    move_column(a + ".csv", dir.path() + "/b.csv", "rep", 5);
    compare_fails(dir.path() + "/b.csv", "column 'rep' comes before 'host'");
  }
  SECTION("status at the end") {
    move_column(a + ".csv", dir.path() + "/b.csv", "status", 1000);
    compare_fails(dir.path() + "/b.csv", "in this order");
  }
  SECTION("a directory") { compare_fails(dir.path(), "is a directory"); }
  SECTION("ok rows without a positive wall time compare nothing: refused, not passed") {
    for (const char* wall : {"0", "-5", ""}) {
      edit_csv(a + ".csv", dir.path() + "/z.csv", [&](auto& lines) {
        const auto col = static_cast<std::size_t>(
            std::find(lines[0].begin(), lines[0].end(), "wall_ns") - lines[0].begin());
        for (std::size_t i = 1; i < lines.size(); ++i) lines[i][col] = wall;
      });
      compare_fails(dir.path() + "/z.csv",
                    fmt::format("column wall_ns: '{}' is not allowed", wall));
    }
  }
  SECTION("meta.json with a field of the wrong type") {
    auto meta = test::read_json(a + ".meta.json");
    meta["run"]["noise_rule"]["cpus"] = "two";
    std::ofstream(a + ".meta.json", std::ios::trunc) << meta.dump();
    const auto e = test::run_parbench({"report", a});
    INFO(e.err);
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains(a + ".meta.json") &&
                            Catch::Contains("run/noise_rule/cpus is string, expected an integer"));
  }
}

TEST_CASE("drill 7: merge checks everything before it writes anything", "[faults]") {
  test::TempDir dir;
  make_report(dir.path() + "/a");
  make_report(dir.path() + "/b");
  const auto before = dir.files();
  const auto label =
      test::run_parbench({"merge", dir.path() + "/a", dir.path() + "/b", "--label",
                          std::string("n\xff") + "1,n2", "--out", dir.path() + "/m"});
  REQUIRE(label.status == 2);
  REQUIRE_THAT(label.err, Catch::Contains("--label") && Catch::Contains("UTF-8"));
  const auto out = test::run_parbench({"merge", dir.path() + "/a", dir.path() + "/b", "--label",
                                       "n1,n2", "--out", dir.path() + "/\xffm"});
  REQUIRE(out.status == 2);
  REQUIRE_THAT(out.err, Catch::Contains("--out") && Catch::Contains("UTF-8"));
  REQUIRE(dir.files() == before);
}

TEST_CASE("drill 11: what SIGKILLed runs leave is removed by the next run and by clean",
          "[faults][ipc]") {
  const pid_t dead = dead_pid();
  const std::string stray_dir =
      (fs::temp_directory_path() / fmt::format("parbench.{}.fifo.x", dead)).string();
  const std::string stray_shm = fmt::format("/dev/shm/parbench.{}.x", dead);
  const std::string live_dir =
      (fs::temp_directory_path() / fmt::format("parbench.{}.fifo.x", getpid())).string();
  const std::string stray_mq = fmt::format("/parbench.{}.0", dead);
  fs::create_directories(live_dir);
  // Only where the queues can be listed (mqueue mounted): elsewhere clean cannot see one, and a
  // queue left behind would take from the user's RLIMIT_MSGQUEUE for good.
  const bool have_mq = fs::is_directory("/dev/mqueue");
  if (have_mq) {
    mq_attr attr{};
    attr.mq_maxmsg = 1;
    attr.mq_msgsize = 8;
    const mqd_t q = mq_open(stray_mq.c_str(), O_RDWR | O_CREAT, 0600, &attr);
    REQUIRE(q != static_cast<mqd_t>(-1));
    mq_close(q);
  }
  struct UnlinkAfter {
    std::string name;
    ~UnlinkAfter() { mq_unlink(name.c_str()); }
  } unlink_after{stray_mq};

  // Any parbench run removes dead runs' entries when it starts, and ctest runs other tests' runs
  // beside this one: when one of them got there first, make the strays again.
  test::Exit e;
  for (int attempt = 0; attempt < 5; ++attempt) {
    fs::create_directories(stray_dir);
    std::ofstream(stray_shm) << "x";
    e = test::run_parbench({"clean"});
    REQUIRE(e.status == 0);
    if (e.out.find(stray_dir) != std::string::npos) break;
  }
  REQUIRE_THAT(e.out, Catch::Contains(stray_dir) && Catch::Contains(stray_shm));
  REQUIRE_FALSE(fs::exists(stray_dir));
  REQUIRE_FALSE(fs::exists(stray_shm));
  if (have_mq) REQUIRE_FALSE(fs::exists("/dev/mqueue" + stray_mq));
  REQUIRE(fs::exists(live_dir));  // a live process's entries are its own
  fs::remove_all(live_dir);

  SECTION("FIFO runs SIGKILLed at random moments leave nothing after the next run") {
    const auto tmp_before = test::temp_entries();
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> delay_ms(20, 400);
    test::TempDir dir;
    for (int i = 0; i < 8; ++i) {
      const pid_t pid =
          test::start_parbench({"run", "ipc_pingpong", "--param", "channel=fifo", "--param",
                                "count=200", "--reps", "1000", "--warmup", "0", "--quiet",
                                "--no-limits", "--out", dir.path() + fmt::format("/k{}", i)});
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      kill(pid, SIGKILL);
      test::wait_exit(pid);
    }
    const auto next = test::run_parbench({"run", "sleep", "--param", "ms=1", "--workers", "1",
                                          "--backend", "thread", "--reps", "1", "--warmup", "0",
                                          "--quiet", "--out", dir.path() + "/next"});
    REQUIRE(next.status == 0);
    // Entries of parbench processes still alive elsewhere (other tests) may come and go; none of
    // the killed runs' may stay.
    for (const auto& entry : test::temp_entries()) {
      if (tmp_before.contains(entry)) continue;
      INFO(entry);
      REQUIRE(entry.find("fifo") == std::string::npos);
    }
  }
}

TEST_CASE("drill 12: the documented 1024 workers start under a soft limit of 1024 descriptors",
          "[faults]") {
  if (!test::have_program("prlimit")) {
    PARBENCH_SKIP("no prlimit");
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 2048) {
    PARBENCH_SKIP("the hard limit on open files is below 2048 here");
  }
  test::TempDir dir;
  const auto e =
      test::run_program({"/usr/bin/prlimit", "--nofile=1024:", PARBENCH_BINARY, "run", "sleep",
                         "--param", "ms=1", "--backend", "process", "--workers", "1024", "--reps",
                         "1", "--warmup", "0", "--quiet", "--out", dir.path() + "/r"});
  INFO(e.err);
  REQUIRE(e.status == 0);
  REQUIRE(read_rows(dir.path() + "/r.csv").size() == 1);
}
