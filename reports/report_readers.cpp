// Reading a report to compare: parbench's rows CSV, or Google Benchmark's JSON, whose iteration
// runs become rows.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "compare.hpp"
#include "csv_reader.hpp"
#include "rows_csv.hpp"

namespace parbench {
namespace {

std::vector<Row> read_google_benchmark(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw CsvError(fmt::format("{}: not valid JSON (byte {}): {}", path, e.byte, e.what()));
  }
  if (!j.contains("benchmarks") || !j["benchmarks"].is_array()) {
    throw CsvError(
        fmt::format("{}: not a Google Benchmark JSON report: no 'benchmarks' array", path));
  }
  const auto to_ns = [&](const nlohmann::json& b, double v) {
    const std::string unit = b.value("time_unit", "ns");
    if (unit == "ns") return v;
    if (unit == "us") return v * 1e3;
    if (unit == "ms") return v * 1e6;
    if (unit == "s") return v * 1e9;
    throw CsvError(fmt::format("{}: unknown time_unit '{}'", path, unit));
  };
  std::vector<Row> rows;
  std::map<std::string, int> reps;
  for (const auto& b : j["benchmarks"]) {
    if (b.value("run_type", "iteration") != "iteration") continue;  // mean, median, stddev: derived
    if (!b.contains("real_time") || !b.contains("cpu_time")) continue;
    Row r;
    r.workload = "micro";
    r.backend = "thread";
    r.pin = "none";
    const std::string name = b.value("run_name", b.value("name", ""));
    r.params = {{"benchmark", name}};
    r.rep = ++reps[name];
    r.metrics = {{"real_time_ns", to_ns(b, b["real_time"].get<double>())},
                 {"cpu_time_ns", to_ns(b, b["cpu_time"].get<double>())}};
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

std::vector<Row> read_report(const std::string& path_or_prefix) {
  namespace fs = std::filesystem;
  std::string path = path_or_prefix;
  if (!fs::exists(path) && fs::exists(path + ".csv")) path += ".csv";
  if (!fs::exists(path))
    throw CsvError(fmt::format("{}: no such report (nor {}.csv)", path_or_prefix, path_or_prefix));
  std::ifstream in(path);
  char first = 0;
  in >> first;  // skips whitespace
  if (first == '{') return read_google_benchmark(path);
  return read_rows(path);
}

}  // namespace parbench
