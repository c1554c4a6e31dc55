// The report's formats, each rendered from one page built by hand: no browser, no run needed.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report_meta.hpp"
#include "report_page.hpp"
#include "report_render.hpp"

using namespace parbench;

namespace {

ReportPage sample_page() {
  ReportPage p;
  p.name = "run<1>";
  p.counts = "2 cases: 1 ok, 1 failed, 0 unsupported on this machine";
  p.command = "parbench run cpu_sum --param n=1e6";
  p.machine = "host  vm\ncpu   Some CPU\n";
  WorkloadTable t;
  t.workload = "mixed";
  t.header = {"workload", "backend", "parameters", "status"};
  t.left = 3;
  t.rows = {{"cpu_sum", "thread", "n=1000000", "ok"},
            {"ipc_pingpong", "process", "channel=a|b", "error: worker 1 <died>"}};
  t.failed = {false, true};
  p.tables = {t};
  p.headline = {{"Needs a look", {"failed: ipc_pingpong <x>"}}};
  p.comparisons = "pipe  3.1 us\n";
  p.plots = {{"Speedup", "/tmp/r.report.plot_speedup.png", "abc"}};
  return p;
}

const ReportRenderer& renderer(const char* name) {
  const ReportRenderer* r = find_renderer(name);
  REQUIRE(r != nullptr);
  return *r;
}

}  // namespace

TEST_CASE("report formats: one per file, each with its own name and extension", "[report]") {
  std::set<std::string> names, extensions;
  for (const auto& r : report_renderers()) {
    REQUIRE(names.insert(std::string(r->name())).second);
    REQUIRE(extensions.insert(std::string(r->extension())).second);
    REQUIRE_FALSE(r->render(sample_page()).empty());
  }
  REQUIRE(names == std::set<std::string>{"html", "md", "txt", "json"});
  REQUIRE(find_renderer("pdf") == nullptr);
}

TEST_CASE("report html: escaped text, failed rows marked, plots embedded", "[report]") {
  const std::string h = renderer("html").render(sample_page());
  REQUIRE_THAT(h, Catch::StartsWith("<!DOCTYPE html>"));
  REQUIRE_THAT(h, Catch::Contains("<title>parbench report: run&lt;1&gt;</title>"));
  REQUIRE_THAT(h, Catch::Contains("error: worker 1 &lt;died&gt;"));
  REQUIRE_THAT(h, Catch::Contains("<tr class=\"error\"><td>ipc_pingpong"));
  REQUIRE_THAT(h, Catch::Contains("<tr><td>cpu_sum"));
  REQUIRE_THAT(h, Catch::Contains("<li>failed: ipc_pingpong &lt;x&gt;</li>"));
  REQUIRE_THAT(h, Catch::Contains("src=\"data:image/png;base64,YWJj\""));  // "abc"
  REQUIRE(h.find("<died>") == std::string::npos);
  REQUIRE_THAT(h, Catch::EndsWith("</html>\n"));
}

TEST_CASE("report markdown: a table with pipes escaped, plots linked by file name", "[report]") {
  const std::string md = renderer("md").render(sample_page());
  REQUIRE_THAT(md, Catch::StartsWith("# parbench report: run<1>"));
  REQUIRE_THAT(md, Catch::Contains("| workload | backend | parameters | status |\n| --- | --- | "
                                   "--- | --- |\n| cpu_sum |"));
  REQUIRE_THAT(md, Catch::Contains("## Needs a look\n\n- failed: ipc_pingpong <x>\n"));
  REQUIRE_THAT(md, Catch::Contains("channel=a\\|b"));
  REQUIRE_THAT(md, Catch::Contains("![Speedup](r.report.plot_speedup.png)"));
  REQUIRE_THAT(md, Catch::Contains("```\nhost  vm"));
}

TEST_CASE("report text: the case table's columns line up", "[report]") {
  const std::string t = renderer("txt").render(sample_page());
  std::istringstream in(t);
  std::vector<std::string> table;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("workload") || line.starts_with("cpu_sum") ||
        line.starts_with("ipc_pingpong"))
      table.push_back(line);
  }
  REQUIRE(table.size() == 3);
  // "backend" starts where each row's backend starts.
  const auto column = table[0].find("backend");
  REQUIRE(table[1].substr(column, 6) == "thread");
  REQUIRE(table[2].substr(column, 7) == "process");
}

TEST_CASE("report json: the page as values", "[report]") {
  const auto j = nlohmann::json::parse(renderer("json").render(sample_page()));
  REQUIRE(j["name"] == "run<1>");
  REQUIRE(j["cases"].size() == 2);
  REQUIRE(j["cases"][0]["backend"] == "thread");
  REQUIRE(j["cases"][0]["failed"] == false);
  REQUIRE(j["cases"][1]["failed"] == true);
  REQUIRE(j["headline"][0]["lines"][0] == "failed: ipc_pingpong <x>");
  REQUIRE(j["plots"][0]["png"] == "/tmp/r.report.plot_speedup.png");
}

TEST_CASE("meta.json round-trips through ReportMeta, a run's and a merge's", "[report]") {
  ReportMeta m;
  m.machine = {{"hostname", "vm"}, {"cpu_model", "Some CPU"}};
  m.schema = {{"params", {"n"}}};
  RunMeta run;
  run.command = "parbench run cpu_sum";
  run.targets = {"cpu_sum"};
  run.reps = 10;
  run.warmup = 1;
  run.timeout_s = 120;
  run.cases = 4;
  run.noise_rule.cpu_bound = {"cpu_sum"};
  run.started_at = "2026-11-29T10:00:00+0000";
  run.finished_at = "2026-11-29T10:01:00+0000";
  run.interrupted_by_signal = 2;
  run.ended_by = "interrupted by SIGINT";
  m.run = run;
  const nlohmann::json j = m.to_json();
  REQUIRE(j["run"]["interrupted_by_signal"] == 2);
  REQUIRE_FALSE(j["run"].contains("summary_error"));  // empty fields are left out
  REQUIRE_FALSE(j.contains("machines"));
  const ReportMeta back = ReportMeta::from_json(j);
  REQUIRE(back.to_json() == j);
  REQUIRE(back.hostname() == "vm");
  REQUIRE(back.run->noise_rule.cpu_bound == std::vector<std::string>{"cpu_sum"});

  ReportMeta merged;
  merged.machines.push_back({"a.csv", "a", "", m.machine, run});
  merged.machines.push_back({"b.csv", "b", "b", nullptr, std::nullopt});
  const nlohmann::json mj = merged.to_json();
  REQUIRE(mj["merged"]["sources"] == nlohmann::json({"a.csv", "b.csv"}));
  REQUIRE(mj["machines"][1]["run"].is_null());
  REQUIRE(ReportMeta::from_json(mj).to_json() == mj);
  REQUIRE_FALSE(ReportMeta::from_json(mj).run.has_value());
}

TEST_CASE(
    "the report: a headline first, shared parameters once above each table, figures right-aligned "
    "with their CI, machine folded after the results",
    "[report]") {
  std::vector<SummaryRow> summary(3);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    auto& s = summary[i];
    s.workload = "cpu_sum";
    s.backend = i == 2 ? "process" : "thread";
    s.pin = "none";
    s.workers = static_cast<int>(i % 2) + 1;
    s.reps = 6;
    s.params = {{"n", "600000000"}, {"extra_pct", "0"}, {"scaling", i == 1 ? "weak" : "strong"}};
    s.wall_ns = Summary{6, 1e6, 2e6, 1.5e6, 1.5e6, 1e5, 0.07, 2e6, Interval{1.2e6, 1.8e6}};
    s.work_per_s = 1e9 * static_cast<double>(i + 1);
  }
  summary[1].speedup = 1.9;
  summary[1].of_limit = 0.95;
  summary[1].limit = 2.0;
  summary[1].limit_unit = "x";
  summary[2].noisy = "cv 12% over 10%";
  ReportMeta meta;
  meta.schema = {{"work_units", {{"cpu_sum", "terms"}}}};
  ReportPage page = make_report_page("r", summary, meta, {});
  page.machine = "host  vm\n";
  REQUIRE(page.tables.size() == 1);
  const WorkloadTable& t = page.tables[0];
  REQUIRE(shared_text(t) == "n=600000000 extra_pct=0");
  const auto col = [&](const char* name) {
    return static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), name) -
                                    t.header.begin());
  };
  REQUIRE(col("scaling") < t.left);  // only what differs names the case
  REQUIRE(col("n") == t.header.size());
  REQUIRE(t.rows[0][col("95% CI of median")] == "1.2 ms – 1.8 ms");
  REQUIRE(t.rows[0][col("work/s")] == "1 G/s");
  REQUIRE(t.rows[1][col("of machine limit")] == "95% of 2.00x");

  // The headline: fastest and slowest by work per second, in the workload's unit; the noisy case.
  REQUIRE(page.headline.size() == 2);
  REQUIRE_THAT(page.headline[0].lines.at(0),
               Catch::StartsWith("cpu_sum (3 cases): fastest process w=1 scaling=strong: 3 G "
                                 "terms/s; slowest thread w=1 scaling=strong: 1 G terms/s; "
                                 "farthest from the machine's limit thread w=2 scaling=weak: 95%"));
  REQUIRE(page.headline[1].title == "Needs a look");
  REQUIRE_THAT(page.headline[1].lines.at(0), Catch::StartsWith("noisy: cpu_sum process w=1"));
  // A case past its limit makes the limit suspect, and the headline says so.
  summary[0].of_limit = 1.2;
  summary[0].limit = 2.0;
  summary[0].limit_unit = "x";
  meta.machine = {{"limits", {{"measured_at", "2026-11-29T19:17:52Z"}}}};
  const auto again = report_headline(summary, meta);
  REQUIRE_THAT(again[1].lines.back(),
               Catch::StartsWith("past the machine's limit by more than 10%: 1 case, cpu_sum "
                                 "thread w=1 scaling=strong: 120% of 2.00x") &&
                   Catch::Contains("measured 2026-11-29T19:17:52Z") &&
                   Catch::Contains("--refresh-limits"));

  const std::string h = renderer("html").render(page);
  REQUIRE_THAT(h, Catch::Contains("Every case: n=600000000 extra_pct=0") &&
                      Catch::Contains("<td class=\"num\">6</td>") &&
                      Catch::Contains("<details><summary>Machine</summary>"));
  REQUIRE(h.find("<h2>Needs a look</h2>") < h.find("<h2>Cases</h2>"));
  REQUIRE(h.find("<h2>Cases</h2>") < h.find("<summary>Machine</summary>"));
  const std::string md = renderer("md").render(page);
  REQUIRE(md.find("## Cases") < md.find("## Machine"));
}

TEST_CASE("the report names each workload's widest case's largest loss and lists every stack",
          "[report][stack]") {
  std::vector<SummaryRow> summary(3);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    auto& s = summary[i];
    s.workload = "cpu_sum";
    s.backend = "process";
    s.pin = "none";
    s.workers = static_cast<int>(i) + 1;
    s.reps = 3;
    s.wall_ns = Summary{3, 1e6, 1e6, 1e6, 1e6, 0, 0, 1e6, std::nullopt};
    s.work_per_s = 1e9;
  }
  summary[1].speedup = 1.62;
  summary[1].stack = SpeedupStack{0.01, 0.05, 0.02, 0.21, 0.06, 0.03, 0.0};
  summary[2].speedup = 2.1;
  summary[2].stack = SpeedupStack{0.02, 0.3, 0.1, 0.05, 0.4, 0.0, 0.03};
  const ReportPage page = make_report_page("r", summary, ReportMeta{}, {});
  const auto section = std::find_if(page.headline.begin(), page.headline.end(),
                                    [](const auto& s) { return s.title.starts_with("Why not N"); });
  REQUIRE(section != page.headline.end());
  // Only the widest case (3 workers) is named, by its largest component.
  REQUIRE(section->lines == std::vector<std::string>{
                                "cpu_sum process w=3: 2.10x of 3.00x; most of the loss is more CPU "
                                "per unit of work than at one worker (0.40x)"});
  // Under the table, every case with a stack, largest part first, parts under 0.005 left out.
  REQUIRE(page.tables.at(0).stacks ==
          std::vector<std::string>{
              "process w=2: 1.62x of 2: others' CPU 0.21, more CPU/unit 0.06, imbalance 0.05, "
              "machine ceiling 0.03, blocked/sleeping 0.02, start skew 0.01",
              "process w=3: 2.10x of 3: more CPU/unit 0.40, imbalance 0.30, blocked/sleeping "
              "0.10, others' CPU 0.05, residual 0.03, start skew 0.02"});
  for (const char* format : {"html", "md", "txt"}) {
    INFO(format);
    REQUIRE_THAT(renderer(format).render(page), Catch::Contains("others' CPU 0.21"));
  }
}
