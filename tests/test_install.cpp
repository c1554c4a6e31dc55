// A user's path, from outside the tree: `cmake --install` into a fresh prefix, then projects that
// know only that prefix (examples/histogram, tests/install_check) build binaries that are the
// whole parbench command line with their own workloads, and run them.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "csv_reader.hpp"
#include "rows_csv.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;

namespace {

// `command` through the shell, its output kept for the message.
test::Exit sh(const std::string& command) { return test::run_program({"/bin/sh", "-c", command}); }

// Configures and builds the project in `source` against `prefix` alone, into `build`.
void build_against(const std::string& source, const std::string& build, const std::string& prefix) {
  const auto e = sh(
      fmt::format("cmake -S {} -B {} -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH={} "
                  "-DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON >/dev/null && cmake --build {} 2>&1",
                  source, build, prefix, build));
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
}

}  // namespace

TEST_CASE("a project built against the installed package measures its own workloads", "[release]") {
  // The Release build (scripts/test.sh builds it): a sanitized library would need the sanitizer
  // in the user's link too.
  const char* build = std::getenv("PARBENCH_RELEASE_BUILD");
  if (build == nullptr)
    PARBENCH_SKIP("PARBENCH_RELEASE_BUILD is not set (scripts/test.sh sets it)");
  test::TempDir dir;
  const std::string& d = dir.path();
  const std::string prefix = d + "/prefix";
  {
    const auto e = sh(fmt::format("cmake --install {} --prefix {} 2>&1", build, prefix));
    INFO(e.out);
    REQUIRE(e.status == 0);
  }
  REQUIRE(fs::exists(prefix + "/bin/parbench"));
  REQUIRE(fs::exists(prefix + "/include/parbench/workload.hpp"));
  REQUIRE(fs::exists(prefix + "/include/parbench/simple_workload.hpp"));
  REQUIRE(fs::exists(prefix + "/lib/cmake/parbench/parbench-config.cmake"));
  REQUIRE(fs::exists(prefix + "/share/parbench/scripts/plot_speedup.py"));
  {
    // The installed parbench runs a Python function, by default the example installed beside it.
    const auto py =
        test::run_program({prefix + "/bin/parbench", "run", "pyfunc", "-w", "1", "--reps", "1",
                           "-p", R"(kwargs={"n": 2000})", "--no-limits", "-q", "-o", d + "/py"});
    INFO(py.out << py.err);
    REQUIRE(py.status == 0);
    REQUIRE_THAT(
        test::slurp(d + "/py.csv"),
        Catch::Contains(prefix + "/share/parbench/examples/python/own_code.py:count_primes"));
  }

  build_against(std::string(PARBENCH_SOURCE_DIR) + "/examples/histogram", d + "/histogram", prefix);
  const std::string bench = d + "/histogram/histogram_bench";

  SECTION("the example: rows, speedup, share of the limit and the report") {
    const auto run = test::run_program({bench, "run", "user", "-b", "thread,process", "-w", "1,2",
                                        "-r", "3", "-p", "items=2e7", "-q", "-o", d + "/h"});
    INFO(run.err);
    REQUIRE(run.status == 0);
    const auto rows = read_rows(d + "/h.csv");
    REQUIRE(rows.size() == 12);  // 2 backends x 2 worker counts x 3 repetitions
    for (const auto& r : rows) {
      REQUIRE(r.workload == "histogram");
      REQUIRE(r.ok());
    }
    const CsvTable summary = CsvTable::read(d + "/h.summary.csv");
    const auto cell = [&](const std::vector<std::string>& row, const std::string& name) {
      const auto i = summary.column(name);
      REQUIRE(i.has_value());
      return row[*i];
    };
    int with_limit = 0;
    for (const auto& row : summary.rows()) {
      REQUIRE_FALSE(cell(row, "speedup").empty());
      if (cell(row, "workers") == "2" && !cell(row, "of_limit").empty()) ++with_limit;
    }
    REQUIRE(with_limit == 2);  // declared cpu_bound: measured against the speedup ceiling
    const auto report = test::run_program({bench, "report", d + "/h", "--format", "md"});
    INFO(report.err);
    REQUIRE(report.status == 0);
    REQUIRE_THAT(test::slurp(d + "/h.report.md"), Catch::Contains("histogram"));
    // Only the program's own workloads, or all of them.
    REQUIRE_THAT(test::run_program({bench, "list", "--user"}).out,
                 Catch::Contains("histogram") && !Catch::Contains("cpu_sum"));
    REQUIRE_THAT(test::run_program({bench, "list"}).out,
                 Catch::Contains("histogram") && Catch::Contains("cpu_sum"));
  }

  SECTION("workloads declared wrong: a clear message, exit 2 at start, or an error row") {
    build_against(std::string(PARBENCH_SOURCE_DIR) + "/tests/install_check", d + "/check", prefix);
    const auto clash = test::run_program({d + "/check/clash", "list"});
    REQUIRE(clash.status == 2);
    REQUIRE_THAT(clash.err, Catch::Contains("'cpu_sum'") && Catch::Contains("built-in"));
    const auto twice = test::run_program({d + "/check/twice", "run", "twice", "-o", d + "/t"});
    REQUIRE(twice.status == 2);
    REQUIRE_THAT(twice.err, Catch::Contains("parameter 'k' twice"));
    REQUIRE_FALSE(fs::exists(d + "/t.csv"));
    const auto wrong = test::run_program({d + "/check/wrong", "run", "wrong", "-b", "thread", "-w",
                                          "1", "-r", "2", "-q", "--no-limits", "-o", d + "/w"});
    REQUIRE(wrong.status == 1);
    for (const auto& r : read_rows(d + "/w.csv")) {
      REQUIRE(r.status == "error");
      REQUIRE_THAT(r.error, Catch::Contains("off by one, on purpose"));
    }
    REQUIRE_THAT(test::run_program({d + "/check/unchecked", "list", "--user"}).out,
                 Catch::Contains("declares no check"));
    REQUIRE(test::run_program({d + "/check/unchecked", "run", "unchecked", "-b", "thread", "-w",
                               "1", "-r", "2", "-q", "--no-limits", "--report", "-o", d + "/u"})
                .status <= 1);  // 1 only when no plot can be drawn here
    REQUIRE_THAT(test::slurp(d + "/u.report.md"), Catch::Contains("unverified: unchecked"));
    const auto both =
        test::run_program({d + "/check/full_form", "run", "user", "-b", "thread,process", "-w",
                           "1,2", "-r", "3", "-q", "--no-limits", "-o", d + "/f"});
    REQUIRE(both.status == 0);
  }
}
