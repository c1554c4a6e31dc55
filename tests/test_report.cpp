// parbench report: the HTML page is self-contained, loads in a real (headless) browser without
// errors and shows its plots; the markdown has the same tables. [browser] needs Debian's chromium:
// scripts/test.sh installs it and runs this test on its own.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support.hpp"

TEST_CASE("report: one self-contained HTML page that a browser shows with its plots, and markdown",
          "[report][browser]") {
  parbench::test::TempDir dir;
  const std::string prefix = dir.path() + "/r";
  auto run = parbench::test::run_parbench({"run", "cpu_sum", "sleep", "--param", "n=1e6", "--param",
                                           "ms=1", "--workers", "1,2", "--reps", "2", "--quiet",
                                           "--out", prefix});
  REQUIRE(run.status == 0);
  const auto rep = parbench::test::run_parbench({"report", prefix});
  INFO(rep.out << rep.err);
  REQUIRE(rep.status == 0);
  const std::string html = parbench::test::slurp(prefix + ".report.html");
  REQUIRE_THAT(html, Catch::Contains("data:image/png;base64,") && Catch::Contains("cpu_sum") &&
                         Catch::Contains("Speedup against workers"));
  REQUIRE_THAT(html,
               !Catch::Contains("src=\"http") && !Catch::Contains("src=\"/"));  // nothing fetched
  const std::string md = parbench::test::slurp(prefix + ".report.md");
  REQUIRE_THAT(md, Catch::Contains("### cpu_sum\n") && Catch::Contains("| backend | workers |") &&
                       Catch::Contains("![Speedup against workers](") &&
                       Catch::Contains("![Why not Nx: speedup stacks](") &&
                       Catch::Contains("![When each worker ran"));

  // The page in chromium: after load, its script marks how many plots decoded and any error.
  const auto browser = parbench::test::run_program(
      {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
       "file://" + std::filesystem::absolute(prefix + ".report.html").string()});
  INFO(browser.err.substr(0, 2000));
  REQUIRE(browser.status == 0);
  // The speedup plot, the speedup stacks and the 2-worker timeline.
  REQUIRE_THAT(browser.out, Catch::Contains("data-plots-shown=\"3/3\""));
  REQUIRE_THAT(browser.out, !Catch::Contains("data-errors"));
  // The headline comes before the tables, and the machine is folded at the end.
  REQUIRE(browser.out.find("<h2>Per workload") < browser.out.find("<h2>Cases</h2>"));
  REQUIRE(browser.out.find("<h2>Cases</h2>") < browser.out.find("<summary>Machine</summary>"));

  // What a reader sees first, as a picture: PREFIX.report.png (and a copy in
  // $PARBENCH_SCREENSHOT_DIR when set, to look at after the test).
  const std::string shot = prefix + ".report.png";
  const auto screenshot = parbench::test::run_program(
      {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
       "--window-size=1280,1600", "--screenshot=" + shot,
       "file://" + std::filesystem::absolute(prefix + ".report.html").string()});
  INFO(screenshot.err.substr(0, 2000));
  REQUIRE(screenshot.status == 0);
  REQUIRE(parbench::test::slurp(shot).starts_with("\x89PNG"));
  if (const char* keep = std::getenv("PARBENCH_SCREENSHOT_DIR")) {
    std::filesystem::copy_file(shot, std::filesystem::path(keep) / "report.png",
                               std::filesystem::copy_options::overwrite_existing);
  }

  const auto missing = parbench::test::run_parbench({"report", dir.path() + "/none"});
  REQUIRE(missing.status == 2);
  REQUIRE_THAT(missing.err, Catch::Contains("none.csv"));
}
