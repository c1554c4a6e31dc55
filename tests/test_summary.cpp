// Aggregates and speedup derived from rows, against hand-computed values.
#include <catch2/catch.hpp>
#include <set>

#include "console_table.hpp"
#include "csv_writer.hpp"
#include "ipc_comparison.hpp"
#include "summary.hpp"
#include "summary_columns.hpp"
#include "support.hpp"

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

TEST_CASE("each host is its own case, an mpi case across hosts scales from its first host",
          "[summary]") {
  const auto on = [](Row r, std::string host) {
    r.host = std::move(host);
    return r;
  };
  std::vector<Row> rows;
  for (int rep = 1; rep <= 3; ++rep) {
    rows.push_back(on(row("thread", 1, 100, 1000, rep), "a"));
    rows.push_back(on(row("thread", 2, 50, 1000, rep), "a"));
    rows.push_back(on(row("thread", 1, 300, 1000, rep), "b"));  // a slower machine
    rows.push_back(on(row("thread", 2, 100, 1000, rep), "b"));
    rows.push_back(on(row("mpi", 1, 100, 1000, rep), "a"));
    rows.push_back(on(row("mpi", 2, 25, 1000, rep), "a+b"));
    rows.push_back(on(row("mpi", 2, 80, 1000, rep), "ab"));  // another host, not a's ranks
  }
  const auto s = summarize_rows(rows, {{"n"}, {}});
  REQUIRE(s.size() == 7);
  const auto at = [&](const std::string& backend, int workers, const std::string& host) {
    for (const auto& r : s) {
      if (r.backend == backend && r.workers == workers && r.host == host) return r;
    }
    throw std::runtime_error("case not in summary");
  };
  REQUIRE(*at("thread", 2, "a").speedup == Approx(2.0));
  REQUIRE(*at("thread", 2, "b").speedup == Approx(3.0));  // against b's own 1-worker case
  REQUIRE(*at("mpi", 2, "a+b").speedup == Approx(4.0));
  REQUIRE_FALSE(at("mpi", 2, "ab").speedup);
  const auto header = summary_header({{"n"}, {}});
  REQUIRE(header[4] == "host");
  REQUIRE(summary_cells(at("mpi", 2, "a+b"), {{"n"}, {}})[4] == "a+b");
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

TEST_CASE("a case is flagged noisy for steal, others' load, or a CPU-bound case off the CPU",
          "[summary]") {
  const ReportSchema schema{{"n"}, {}};
  NoiseRule rule;
  rule.cpus = 2;
  rule.cpu_bound = {"w"};
  auto rows_with = [](auto change) {
    std::vector<Row> rows;
    for (int rep = 1; rep <= 3; ++rep) {
      Row r = row("thread", 2, 100'000'000, 1000, rep);  // on CPU all the time (user = 2 x wall)
      r.steal_pct = 1;
      r.other_load_pct = 2;
      change(r);
      rows.push_back(r);
    }
    return rows;
  };
  const auto quiet = summarize_rows(rows_with([](Row&) {}), schema, rule);
  REQUIRE(quiet.front().noisy.empty());
  REQUIRE(*quiet.front().on_cpu == Approx(1.0));

  const auto stolen = summarize_rows(rows_with([](Row& r) { r.steal_pct = 12; }), schema, rule);
  REQUIRE(stolen.front().noisy == "steal 12%");
  const auto loaded =
      summarize_rows(rows_with([](Row& r) { r.other_load_pct = 35; }), schema, rule);
  REQUIRE(loaded.front().noisy == "other load 35%");

  // Half the CPU it could have had: noisy when the workload computes all the time...
  const auto off_cpu = [](Row& r) { r.cpu_user_ns = *r.wall_ns; };
  const auto starved = summarize_rows(rows_with(off_cpu), schema, rule);
  REQUIRE(*starved.front().on_cpu == Approx(0.5));
  REQUIRE(starved.front().noisy == "on CPU 50% of wall");
  // ... and expected when it sleeps or waits by design.
  NoiseRule not_cpu_bound = rule;
  not_cpu_bound.cpu_bound.clear();
  REQUIRE(summarize_rows(rows_with(off_cpu), schema, not_cpu_bound).front().noisy.empty());
  // Two workers pinned to one CPU can only have one CPU's worth.
  const auto same_cpu = summarize_rows(rows_with([](Row& r) {
                                         r.cpus = "0+0";
                                         r.cpu_user_ns = *r.wall_ns;
                                       }),
                                       schema, rule);
  REQUIRE(*same_cpu.front().on_cpu == Approx(1.0));
  REQUIRE(same_cpu.front().noisy.empty());
  // No /proc/stat figures: nothing to flag, and the medians stay empty rather than 0.
  const auto unknown = summarize_rows(rows_with([](Row& r) {
                                        r.steal_pct.reset();
                                        r.other_load_pct.reset();
                                      }),
                                      schema, rule);
  REQUIRE_FALSE(unknown.front().steal_pct.has_value());
  REQUIRE(unknown.front().noisy.empty());
}

TEST_CASE(
    "profile medians: a counter some repetitions lack stays empty, IPC comes from the medians",
    "[summary]") {
  const ReportSchema schema{{"n"}, {}};
  std::vector<Row> rows;
  for (int rep = 1; rep <= 3; ++rep) {
    Row r = row("thread", 1, 100, 1000, rep);
    r.cycles = 1000 * rep;
    r.instructions = 1500 * rep;
    r.minor_faults = 10 + rep;
    if (rep != 2) r.cache_misses = 5;
    rows.push_back(r);
  }
  const auto s = summarize_rows(rows, schema).front();
  REQUIRE(*s.cycles == 2000);
  REQUIRE(*s.ipc == Approx(1.5));
  REQUIRE(*s.minor_faults == 12);
  REQUIRE_FALSE(s.cache_misses.has_value());
  REQUIRE_FALSE(s.branch_misses.has_value());
  const auto header = summary_header(schema);
  const auto cells = summary_cells(s, schema);
  const auto at = [&](const char* name) {
    return cells[static_cast<std::size_t>(std::find(header.begin(), header.end(), name) -
                                          header.begin())];
  };
  REQUIRE(at("median_cycles") == "2000");
  REQUIRE(at("median_cache_misses").empty());
  REQUIRE(at("ipc") == "1.5");
}

TEST_CASE("the IPC comparison leaves out a channel no backend case could run", "[summary][ipc]") {
  const auto ipc = [](const std::string& channel, const std::string& status) {
    Row r = row("process", 2, 1000, 100);
    r.workload = "ipc_pingpong";
    r.params = {{"channel", channel}, {"size", "64"}, {"placement", "cross_core"}};
    r.status = status;
    if (status == "ok") {
      r.metrics = {{"rtt_p50_ns", 1500.0}};
    } else {
      r.rep = 0;
      r.wall_ns.reset();
      r.work_units.reset();
      r.error = "the mpi channel runs between MPI ranks";
    }
    return r;
  };
  const ReportSchema schema{{"channel", "size", "placement"}, {"rtt_p50_ns"}};
  const std::string text = format_ipc_comparison(
      summarize_rows({ipc("pipe", "ok"), ipc("mpi", "unsupported"), ipc("fifo", "error")}, schema),
      test::registered_roles());
  REQUIRE_THAT(text, Catch::Contains("pipe") && Catch::Contains("1.5 µs"));
  REQUIRE_THAT(text, Catch::Contains("fifo"));  // tried and failed: a line with '-'
  REQUIRE_THAT(text, !Catch::Contains("mpi "));
}

TEST_CASE("units: speedup needs two worker counts, cv three repetitions, cv over 10% is noisy",
          "[summary]") {
  const ReportSchema schema{{"n"}, {}};
  NoiseRule rule;
  // One worker count alone: no speedup, no efficiency (1.00x, 100% would say nothing).
  const auto alone = summarize_rows(
      {row("thread", 1, 1000, 10, 1), row("thread", 1, 1010, 10, 2), row("thread", 1, 990, 10, 3)},
      schema, rule);
  REQUIRE_FALSE(alone.front().speedup);
  REQUIRE_FALSE(alone.front().efficiency);
  // With a second count both get one, the 1-worker case its 1.00x baseline.
  const auto both =
      summarize_rows({row("thread", 1, 1000, 10), row("thread", 2, 500, 10)}, schema, rule);
  REQUIRE(*both[0].speedup == Approx(1.0));
  REQUIRE(*both[1].speedup == Approx(2.0));
  // Fewer than 3 repetitions: the cv cell is blank in the CSV and "-" on the console.
  const auto two =
      summarize_rows({row("thread", 1, 1000, 10, 1), row("thread", 1, 2000, 10, 2)}, schema, rule);
  REQUIRE(cv_cell(two.front()) == "-");
  REQUIRE(two.front().noisy.empty());
  const std::string csv = summary_csv(two, schema);
  const auto header = csv.substr(0, csv.find('\n'));
  const auto line = csv.substr(csv.find('\n') + 1);
  std::size_t column = 0;
  for (std::size_t at = 0; header.substr(at, header.find(',', at) - at) != "cv";
       at = header.find(',', at) + 1)
    ++column;
  std::size_t start = 0;
  for (std::size_t i = 0; i < column; ++i) start = line.find(',', start) + 1;
  REQUIRE(line.substr(start, line.find(',', start) - start).empty());
  // Three or more, spread over 10%: noisy, and it says why.
  const auto spread = summarize_rows(
      {row("thread", 1, 1000, 10, 1), row("thread", 1, 1500, 10, 2), row("thread", 1, 800, 10, 3)},
      schema, rule);
  REQUIRE_THAT(spread.front().noisy, Catch::StartsWith("cv "));
  REQUIRE(cv_cell(spread.front()).ends_with("%"));
  // Durations in human units with µ, and tables aligned by what a terminal shows.
  REQUIRE(format_duration(45'600) == "45.6 µs");
  REQUIRE(display_width("45.6 µs") == 7);
  REQUIRE(pad_to("1 µs", 6, false) == "  1 µs");
  REQUIRE(format_rate(1.475e9) == "1.48 G/s");
  // A metric of thousands prints whole, without an exponent.
  std::vector<Row> mb;
  for (int rep = 1; rep <= 3; ++rep) {
    Row r = row("thread", 1, 1000, 10, rep);
    r.metrics = {{"mb_per_s", 24220.4}};
    mb.push_back(r);
  }
  const std::string table =
      format_summary_table(summarize_rows(mb, ReportSchema{{"n"}, {"mb_per_s"}}, rule));
  REQUIRE_THAT(table, Catch::Contains("24220") && !Catch::Contains("e+04"));
}

TEST_CASE("cases are listed with parameter values in their natural order", "[summary]") {
  std::vector<Row> rows;
  for (const char* size : {"1048576", "64", "pipe", "8", "4096"}) {
    Row r = row("thread", 2, 100, 10);
    r.params = {{"size", size}};
    rows.push_back(r);
  }
  const auto s = summarize_rows(rows, {{"size"}, {}});
  std::vector<std::string> order;
  for (const auto& c : s) order.push_back(c.param("size"));
  // Numbers by value, words after them by their text.
  REQUIRE(order == std::vector<std::string>{"8", "64", "4096", "1048576", "pipe"});
}

TEST_CASE("one column table makes the summary's header, cells and directions", "[summary]") {
  const ReportSchema schema{{"n"}, {"m_ns"}};
  Row a = row("thread", 1, 1000, 10), b = row("thread", 2, 600, 10);
  a.metrics = {{"m_ns", 5}};
  const auto s = summarize_rows({a, b}, schema);
  const auto header = summary_header(schema);
  // Keys, then the parameters, then the table's figures, then the workload's metric medians.
  REQUIRE(std::vector<std::string>(header.begin(), header.begin() + 7) ==
          std::vector<std::string>{"workload", "backend", "workers", "pin", "host", "n", "reps"});
  REQUIRE(header.back() == "median_m_ns");
  REQUIRE(std::set<std::string>(header.begin(), header.end()).size() == header.size());
  for (const auto& r : s) REQUIRE(summary_cells(r, schema).size() == header.size());
  REQUIRE(summary_cells(s[0], schema).back() == "5");
  REQUIRE(summary_cells(s[1], schema).back().empty());
  // Every numeric column's cell is its value as written; text columns have no value.
  for (const SummaryColumn& c : summary_columns()) {
    if (!c.value) continue;
    const auto v = c.value(s[1]);
    if (!v) {
      REQUIRE(c.cell(s[1]).empty());
    } else if (c.name.find("wall_ns") == std::string_view::npos) {  // those are rounded
      REQUIRE(c.cell(s[1]) == format_optional(v));
    }
  }
  REQUIRE(find_summary_column("speedup")->better == Direction::HigherIsBetter);
  REQUIRE(find_summary_column("median_wall_ns")->better == Direction::LowerIsBetter);
  REQUIRE(find_summary_column("median_machine_capacity")->better == Direction::HigherIsBetter);
  REQUIRE_FALSE(find_summary_column("noisy")->better);
  REQUIRE(find_summary_column("no_such") == nullptr);
  // The cv rule is the row's: two repetitions give none.
  REQUIRE_FALSE(s[0].cv());
  REQUIRE(find_summary_column("cv")->cell(s[0]).empty());
}
