// One exit status rule for every command (README: 0, 1, 2 bad input, 3 a report or the output
// could not be written, 130 interrupted), and what a run does with a machine that allows less than
// usual: an address-space or file-size limit, fewer CPUs than the machine has.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "rows_csv.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// `command` (a shell command line) with parbench as $P: its status.
test::Exit shell(const std::string& command, const std::string& binary = PARBENCH_BINARY) {
  return test::run_program({"/bin/sh", "-c", fmt::format("P={}; {}", binary, command)});
}

// Starts parbench with a limits cache of its own (empty: it measures first), sends `sig` after
// `after`, and returns its exit status and how long it took to end after the signal.
std::pair<int, std::chrono::duration<double>> signalled(const std::vector<std::string>& args,
                                                        const std::string& cache, int sig,
                                                        std::chrono::milliseconds after) {
  const int pid = test::start_parbench(args, {"XDG_CACHE_HOME=" + cache});
  std::this_thread::sleep_for(after);
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, sig);
  const int status = test::wait_exit(pid);
  return {status, std::chrono::steady_clock::now() - t0};
}

}  // namespace

TEST_CASE("output that cannot be written is exit 3 in every command", "[cli][exit]") {
  test::TempDir dir;
  const std::string& d = dir.path();
  test::write_small_report(d + "/r");
  REQUIRE(test::run_parbench({"history", "--db", d + "/h.sqlite", "add", d + "/r"}).status == 0);
  const std::string r = d + "/r", db = d + "/h.sqlite";
  for (const std::string& command :
       std::vector<std::string>{fmt::format("compare {} {}", r, r), "history --db " + db + " list",
                                "history --db " + db + " check", "history --db " + db + " show",
                                "env --json", "run sleep --dry-run", "export " + r, "list"}) {
    INFO(command);
    const auto e = shell("exec $P " + command + " >/dev/full");
    REQUIRE(e.status == 3);
    REQUIRE_THAT(e.err, Catch::Contains("standard output"));
  }
}

TEST_CASE("export checks the rows as every reader does", "[cli][exit]") {
  test::TempDir dir;
  const std::string& d = dir.path();
  test::write_small_report(d + "/r");
  const std::string text = test::slurp(d + "/r.csv");
  const auto header = text.substr(0, text.find('\n'));
  // The first row's wall_ns replaced by `value`.
  const auto with_wall = [&](const std::string& name, const std::string& value) {
    std::size_t column = 0;
    for (std::size_t at = 0; at < header.find("wall_ns"); ++at) column += header[at] == ',' ? 1 : 0;
    std::string line = text.substr(header.size() + 1);
    line = line.substr(0, line.find('\n'));
    std::size_t start = 0;
    for (std::size_t k = 0; k < column; ++k) start = line.find(',', start) + 1;
    const std::size_t end = line.find(',', start);
    line.replace(start, end - start, value);
    std::ofstream(d + "/" + name + ".csv") << header << '\n' << line << '\n';
    fs::copy_file(d + "/r.meta.json", d + "/" + name + ".meta.json");
    return d + "/" + name;
  };
  for (const auto& [name, value] : {std::pair{"nan", "nan"}, std::pair{"inf", "inf"},
                                    std::pair{"neg", "-5"}, std::pair{"huge", "1e309"}}) {
    INFO(value);
    const auto e = test::run_parbench({"export", with_wall(name, value), "--format", "json"});
    REQUIRE(e.status == 2);
    REQUIRE_THAT(e.err, Catch::Contains(name + std::string(".csv")));
  }
  // A host name in another encoding: JSON cannot hold it, and the message names the file.
  std::string latin = text;
  const std::string host = read_rows(d + "/r.csv").front().host;
  for (auto at = latin.find("," + host + ","); at != std::string::npos;
       at = latin.find("," + host + ",", at + 1))
    latin.replace(at + 1, host.size(), "h\xe9te");
  std::ofstream(d + "/latin.csv") << latin;
  fs::copy_file(d + "/r.meta.json", d + "/latin.meta.json");
  const auto e = test::run_parbench({"export", d + "/latin", "--format", "json"});
  REQUIRE(e.status == 2);
  REQUIRE_THAT(e.err, Catch::Contains("latin.csv"));
}

TEST_CASE("SIGTERM and SIGHUP are exit 130 in every command, and leave no temporary file",
          "[cli][exit][fault]") {
  test::TempDir dir;
  for (const int sig : {SIGTERM, SIGHUP}) {
    INFO(sig);
    const std::string cache = dir.path() + fmt::format("/cache{}", sig);
    const auto [status, took] = signalled({"limits"}, cache, sig, 500ms);
    REQUIRE(status == 130);
    if (fs::exists(cache + "/parbench")) {
      for (const auto& e : fs::directory_iterator(cache + "/parbench"))
        REQUIRE_FALSE(e.path().filename().string().ends_with(".tmp"));
    }
  }
}

TEST_CASE("Ctrl-C while a run measures the machine's limits ends it at once",
          "[cli][exit][fault]") {
  test::TempDir dir;
  const auto [status, took] = signalled(
      {"run", "sleep", "-b", "thread", "-w", "1", "-r", "2", "-q", "-o", dir.path() + "/r"},
      dir.path() + "/cache", SIGINT, 1000ms);
  REQUIRE(status == 130);
  // The measurement takes seconds; it once finished before the signal was obeyed.
  REQUIRE(took < 3s);
  REQUIRE_FALSE(fs::exists(dir.path() + "/r.csv"));
}

TEST_CASE("a cache of limits that cannot be written leaves no temporary file", "[cli][fault]") {
  test::TempDir dir;
  const auto e = shell(
      fmt::format("ulimit -f 2; XDG_CACHE_HOME={}/cache exec $P limits >/dev/null", dir.path()));
  INFO(e.err);
  REQUIRE(e.status == 0);
  REQUIRE(fs::is_empty(dir.path() + "/cache/parbench"));
}

TEST_CASE("spread and cross-core placements stay inside the CPUs taskset allows", "[cli][pin]") {
  if (std::system("command -v taskset >/dev/null 2>&1") != 0) PARBENCH_SKIP("no taskset");
  test::TempDir dir;
  const std::string& d = dir.path();
  const auto e = shell(fmt::format(
      "exec taskset -c 0 $P run cpu_sum -b thread -w 2 --pin spread,cross-core -p n=1e6 -r 1 "
      "--warmup 0 -q --no-limits -o {}/r",
      d));
  INFO(e.err);
  REQUIRE(e.status == 0);
  const auto rows = read_rows(d + "/r.csv");
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) REQUIRE(row.cpus == "0+0");
  // A placement that needs two CPUs is unsupported there, not bad input.
  const auto ipc = shell(fmt::format(
      "exec taskset -c 0 $P run ipc_pingpong -b thread -p placement=cross_core -p channel=pipe "
      "-p size=64 -r 1 --warmup 0 -q --no-limits -o {}/ipc",
      d));
  REQUIRE(ipc.status == 0);
  for (const auto& row : read_rows(d + "/ipc.csv")) REQUIRE(row.status == "unsupported");
}

TEST_CASE("under an address-space limit the limits that need much memory are unsupported",
          "[release]") {
  // AddressSanitizer reserves terabytes of address space: this runs with the Release build.
  const char* binary = std::getenv("PARBENCH_RELEASE_BINARY");
  if (binary == nullptr)
    PARBENCH_SKIP("PARBENCH_RELEASE_BINARY is not set (scripts/test.sh sets it)");
  test::TempDir dir;
  const auto e = shell(fmt::format("ulimit -v 1000000; XDG_CACHE_HOME={0}/cache exec $P run sleep "
                                   "-b thread -w 1 -r 2 -p ms=1 -q -o {0}/r",
                                   dir.path()),
                       binary);
  INFO(e.err);
  REQUIRE(e.status == 0);
  const auto meta = test::read_json(dir.path() + "/r.meta.json");
  bool memory_unsupported = false;
  for (const auto& v : meta["machine"]["limits"]["values"]) {
    if (v.value("name", "") == "memcpy_dram_mb_per_s")
      memory_unsupported = v.value("unsupported", "").find("address-space") != std::string::npos;
  }
  REQUIRE(memory_unsupported);
}
