// Aggregates and speedup derived from rows, against hand-computed values.
#include <catch2/catch.hpp>

#include "summary.hpp"

using namespace parbench;

namespace {

Row row(const std::string& backend, int workers, std::int64_t wall_ns, double work, int rep = 1) {
  Row r;
  r.workload = "w";
  r.backend = backend;
  r.workers = workers;
  r.pin = "none";
  r.params = {{"n", "10"}};
  r.rep = rep;
  r.wall_ns = wall_ns;
  r.cpu_user_ns = wall_ns * workers;
  r.cpu_sys_ns = 0;
  r.work_units = work;
  return r;
}

const SummaryRow& find(const std::vector<SummaryRow>& s, const std::string& backend, int workers) {
  for (const auto& r : s) {
    if (r.backend == backend && r.workers == workers) return r;
  }
  throw std::runtime_error("case not in summary");
}

}  // namespace

TEST_CASE("strong and weak scaling speedup from work per second", "[summary]") {
  const ReportSchema schema{{"n"}, {}};
  std::vector<Row> rows;
  for (int rep = 1; rep <= 3; ++rep) {
    rows.push_back(row("thread", 1, 100 + rep, 1000, rep));  // medians: 102
    rows.push_back(row("thread", 2, 50 + rep, 1000, rep));   // strong: same work, 52
    rows.push_back(row("process", 1, 200, 1000, rep));
    rows.push_back(row("process", 4, 200, 4000, rep));  // weak: 4x the work in the same time
  }
  const auto s = summarize_rows(rows, schema);
  REQUIRE(s.size() == 4);
  REQUIRE(find(s, "thread", 1).speedup == Approx(1.0));
  REQUIRE(*find(s, "thread", 2).speedup == Approx(102.0 / 52.0));
  REQUIRE(*find(s, "thread", 2).efficiency == Approx(102.0 / 52.0 / 2));
  REQUIRE(*find(s, "process", 4).speedup == Approx(4.0));
  REQUIRE(*find(s, "process", 4).efficiency == Approx(1.0));
  REQUIRE(find(s, "thread", 2).wall_ns->median == 52);
  REQUIRE(find(s, "thread", 2).reps == 3);
}

TEST_CASE("no 1-worker case means no speedup, not a made-up one", "[summary]") {
  const auto s =
      summarize_rows({row("thread", 2, 50, 10), row("thread", 2, 52, 10, 2)}, {{"n"}, {}});
  REQUIRE(s.size() == 1);
  REQUIRE_FALSE(s[0].speedup);
  const auto cells = summary_cells(s[0], {{"n"}, {}});
  const auto header = summary_header({{"n"}, {}});
  const auto col = std::find(header.begin(), header.end(), "speedup") - header.begin();
  REQUIRE(cells[static_cast<std::size_t>(col)].empty());
}

TEST_CASE("error rows are counted and keep their reason", "[summary]") {
  Row bad = row("thread", 1, 0, 10);
  bad.status = "error";
  bad.error = "timed out";
  bad.wall_ns.reset();
  const auto s = summarize_rows({row("thread", 1, 100, 10), bad}, {{"n"}, {}});
  REQUIRE(s[0].reps == 1);
  REQUIRE(s[0].errors == 1);
  REQUIRE(s[0].error == "timed out");
  REQUIRE_FALSE(s[0].ok());
}

TEST_CASE("metric medians are summarised per case", "[summary]") {
  std::vector<Row> rows;
  for (int rep = 1; rep <= 3; ++rep) {
    Row r = row("thread", 1, 100, 10, rep);
    r.metrics = {{"spawn_p50_ns", 10.0 * rep}};
    rows.push_back(r);
  }
  const ReportSchema schema{{"n"}, {"spawn_p50_ns", "mb_per_s"}};
  const auto s = summarize_rows(rows, schema);
  REQUIRE(s[0].metric_medians.size() == 1);
  REQUIRE(s[0].metric_medians[0].second == Approx(20.0));
}
