// The CSV written is read back identical with the CSV parser, whatever the text holds.
#include <catch2/catch.hpp>
#include <fstream>
#include <limits>

#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "rows_csv.hpp"
#include "support.hpp"

using namespace parbench;

TEST_CASE("fields are escaped per RFC 4180", "[csv]") {
  REQUIRE(csv_escape("plain") == "plain");
  REQUIRE(csv_escape("a,b") == "\"a,b\"");
  REQUIRE(csv_escape("say \"hi\"") == "\"say \"\"hi\"\"\"");
  REQUIRE(csv_escape(" padded ") == "\" padded \"");
  REQUIRE(csv_escape("two\nlines") == "two lines");
  REQUIRE(csv_escape("").empty());
}

TEST_CASE("numbers are written exactly", "[csv]") {
  REQUIRE(format_number(200000000) == "200000000");
  REQUIRE(format_number(-3) == "-3");
  REQUIRE(format_number(0.1) == "0.1");
  for (double v : {1.0 / 3, 2.0e-9, 123456.789, 5229679824.096581, 1e300}) {
    REQUIRE(std::stod(format_number(v)) == v);
  }
  REQUIRE(format_number(std::numeric_limits<double>::quiet_NaN()).empty());
}

TEST_CASE("a table of awkward text survives a write and a read", "[csv]") {
  test::TempDir dir;
  const std::string path = dir.path() + "/t.csv";
  const std::vector<std::vector<std::string>> rows = {
      {"a", "b,c", "\"quoted\""},
      {"", " lead", "trail "},
      {"x", "worker 1: killed by signal 11 (SIGSEGV: Segmentation fault)", "1e+20"},
  };
  {
    CsvWriter w(path);
    w.write_row({"one", "two", "three"});
    for (const auto& r : rows) w.write_row(r);
  }
  const CsvTable t = CsvTable::read(path);
  REQUIRE(t.header() == std::vector<std::string>{"one", "two", "three"});
  REQUIRE(t.rows() == rows);
  REQUIRE(t.column("three") == 2U);
  REQUIRE_FALSE(t.column("four"));
}

TEST_CASE("report rows round-trip through the rows CSV", "[csv][report]") {
  test::TempDir dir;
  const std::string path = dir.path() + "/r.csv";
  ReportSchema schema{{"n", "scaling", "method"}, {"mb_per_s", "spawn_p50_ns"}};
  Row ok;
  ok.workload = "cpu_sum";
  ok.backend = "process";
  ok.workers = 2;
  ok.pin = "0+1";
  ok.cpus = "0+1";
  ok.host = "node1+node2";
  ok.params = {{"n", "600000000"}, {"scaling", "strong"}};
  ok.rep = 3;
  ok.wall_ns = 114000123;
  ok.cpu_user_ns = 220000000;
  ok.cpu_sys_ns = 0;
  ok.vol_ctx_switches = 3;
  ok.invol_ctx_switches = 17;
  ok.startup_ns = 2011444;
  ok.start_skew_ns = 81596;
  ok.work_units = 6e8;
  ok.metrics = {{"mb_per_s", 1234.5678}};
  Row bad;
  bad.workload = "spawn";
  bad.backend = "thread";
  bad.pin = "none";
  bad.params = {{"method", "fork"}};
  bad.rep = 0;
  bad.status = "error";
  bad.error = "warm-up: worker 0 killed by signal 9 (SIGKILL: Killed), \"quoted\"";
  {
    RowsCsvSink sink(path, schema);
    sink.write(ok);
    sink.write(bad);
  }
  ReportSchema read_schema;
  const auto back = read_rows(path, &read_schema);
  REQUIRE(read_schema.params == schema.params);
  REQUIRE(read_schema.metrics == schema.metrics);
  REQUIRE(back.size() == 2);
  REQUIRE(row_cells(back[0], schema) == row_cells(ok, schema));
  REQUIRE(row_cells(back[1], schema) == row_cells(bad, schema));
  REQUIRE(back[0].wall_ns == ok.wall_ns);
  REQUIRE(back[0].host == "node1+node2");
  REQUIRE(back[1].host.empty());
  REQUIRE(back[0].invol_ctx_switches == 17);
  REQUIRE(back[0].metric("mb_per_s") == 1234.5678);
  REQUIRE_FALSE(back[0].metric("spawn_p50_ns"));
  REQUIRE_FALSE(back[1].wall_ns);  // an error row has no timing, not a zero
}

TEST_CASE("malformed reports are rejected with the file and line", "[csv][report]") {
  test::TempDir dir;
  const std::string path = dir.path() + "/bad.csv";
  SECTION("missing file") { REQUIRE_THROWS_AS(CsvTable::read(dir.path() + "/nope.csv"), CsvError); }
  SECTION("wrong column count") {
    std::ofstream(path) << "a,b\n1,2\n3\n";
    REQUIRE_THROWS_WITH(CsvTable::read(path), Catch::Contains("line 3"));
  }
  SECTION("not a rows report") {
    std::ofstream(path) << "a,b\n1,2\n";
    REQUIRE_THROWS_WITH(read_rows(path), Catch::Contains("no column 'workload'"));
  }
  SECTION("a number that is not one") {
    ReportSchema schema;
    { RowsCsvSink sink(path, schema); }
    Row r;
    r.workload = "cpu_sum";
    r.backend = "thread";
    auto cells = row_cells(r, schema);
    const auto header = rows_header(schema);
    cells[static_cast<std::size_t>(std::find(header.begin(), header.end(), "wall_ns") -
                                   header.begin())] = "12x";
    std::ofstream(path, std::ios::app) << csv_line(cells);
    REQUIRE_THROWS_WITH(read_rows(path), Catch::Contains("line 2") && Catch::Contains("wall_ns"));
  }
}

TEST_CASE("a rows report written before the profile columns existed still reads", "[csv][report]") {
  test::TempDir dir;
  const std::string path = dir.path() + "/old.csv";
  std::ofstream(path) << "workload,backend,workers,pin,cpus,n,rep,status,error,wall_ns,cpu_user_ns,"
                         "cpu_sys_ns,vol_ctx_switches,invol_ctx_switches,startup_ns,"
                         "start_skew_ns,work_units\n"
                         "cpu_sum,thread,1,none,,100,1,ok,,500,400,0,1,2,3,4,100\n";
  const auto rows = read_rows(path);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].wall_ns == 500);
  REQUIRE(rows[0].host.empty());  // no host column: the parameters start after cpus
  REQUIRE(rows[0].params == std::vector<std::pair<std::string, std::string>>{{"n", "100"}});
  REQUIRE(rows[0].invol_ctx_switches == 2);
  REQUIRE(rows[0].startup_ns == 3);
  REQUIRE_FALSE(rows[0].minor_faults.has_value());
  REQUIRE_FALSE(rows[0].steal_pct.has_value());
  REQUIRE_FALSE(rows[0].cycles.has_value());
}
