#include "export.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "bad_input.hpp"
#include "compare.hpp"
#include "csv_reader.hpp"
#include "of_limit.hpp"
#include "report_files.hpp"
#include "report_meta.hpp"
#include "rows_csv.hpp"
#include "stats.hpp"
#include "summary.hpp"

namespace parbench {
namespace {

// A CSV cell as JSON: empty is null, a number is a number, anything else text (nan and inf, which
// JSON has no number for, stay text).
nlohmann::json typed(const std::string& cell) {
  if (cell.empty()) return nullptr;
  double v = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec == std::errc() && end == cell.data() + cell.size() && std::isfinite(v)) {
    std::int64_t i = 0;
    const auto [iend, iec] = std::from_chars(cell.data(), cell.data() + cell.size(), i);
    if (iec == std::errc() && iend == cell.data() + cell.size()) return i;
    return v;
  }
  return cell;
}

nlohmann::json csv_as_json(const std::string& path) {
  const CsvTable t = CsvTable::read(path);
  nlohmann::json out = nlohmann::json::array();
  std::size_t line = 1;  // the header's
  for (const auto& row : t.rows()) {
    ++line;
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t i = 0; i < t.header().size() && i < row.size(); ++i) {
      if (!valid_utf8(row[i])) {
        throw BadInput(fmt::format("export: {} line {}: {} is not UTF-8 text; JSON holds only that",
                                   path, line, t.header()[i]));
      }
      o[t.header()[i]] = typed(row[i]);
    }
    out.push_back(std::move(o));
  }
  return out;
}

nlohmann::json json_document(const std::string& prefix) {
  // The rows checked as every reader checks them (a bad cell names its file and line), though
  // the document keeps the cells as written.
  ReportSchema schema;
  (void)read_report_rows(prefix + ".csv", &schema, "export");
  const ReportMeta meta = read_meta(prefix, "export");
  nlohmann::json j;
  j["parbench_json_version"] = kJsonReportVersion;
  j["meta"] = meta.to_json();
  j["rows"] = csv_as_json(prefix + ".csv");
  const std::string summary = prefix + ".summary.csv";
  j["summary"] = std::filesystem::exists(summary) ? csv_as_json(summary) : nlohmann::json(nullptr);
  return j;
}

// "cpu_sum/thread/workers:2/pin:none/n:100000000": Google Benchmark's name/arg:value style.
std::string gbench_name(const Row& r) {
  std::string name =
      fmt::format("{}/{}/workers:{}/pin:{}", r.workload, r.backend, r.workers, r.pin);
  for (const auto& [k, v] : r.params) name += fmt::format("/{}:{}", k, v);
  return name;
}

struct CaseTimes {
  std::vector<double> real, cpu;
  int workers = 1;
};

nlohmann::json gbench_document(const std::string& prefix) {
  ReportSchema schema;
  const std::vector<Row> rows = read_report_rows(prefix + ".csv", &schema, "export");
  const ReportMeta meta = read_meta(prefix, "export");
  nlohmann::json context = {{"executable", "parbench"},
                            {"library_build_type", "release"},
                            {"caches", nlohmann::json::array()}};
  if (meta.machine.is_object()) {
    context["host_name"] = meta.machine.value("hostname", std::string());
    context["num_cpus"] = meta.machine.value("online_cpus", 0);
  }
  if (meta.run) context["date"] = meta.run->started_at;
  nlohmann::json benchmarks = nlohmann::json::array();
  std::map<std::string, CaseTimes> cases;
  std::vector<std::string> order;
  for (const auto& r : rows) {
    if (!r.ok() || !r.wall_ns) continue;
    const std::string name = gbench_name(r);
    auto [it, added] = cases.try_emplace(name);
    if (added) order.push_back(name);
    const double cpu = metric_value(r, "cpu_ns").value_or(0);
    it->second.real.push_back(static_cast<double>(*r.wall_ns));
    it->second.cpu.push_back(cpu);
    it->second.workers = r.workers;
    nlohmann::json b = {{"name", name},
                        {"run_name", name},
                        {"run_type", "iteration"},
                        {"repetition_index", r.rep - 1},
                        {"threads", r.workers},
                        {"iterations", 1},
                        {"real_time", *r.wall_ns},
                        {"cpu_time", cpu},
                        {"time_unit", "ns"}};
    for (const auto& [metric, value] : r.metrics) {
      b[metric] = value;
    }
    benchmarks.push_back(std::move(b));
  }
  for (const auto& name : order) {
    const CaseTimes& c = cases[name];
    const auto real = summarize(c.real), cpu = summarize(c.cpu);
    for (const auto& [aggregate, pick] :
         std::initializer_list<std::pair<const char*, double Summary::*>>{
             {"median", &Summary::median},
             {"mean", &Summary::mean},
             {"stddev", &Summary::stddev}}) {
      benchmarks.push_back({{"name", fmt::format("{}_{}", name, aggregate)},
                            {"run_name", name},
                            {"run_type", "aggregate"},
                            {"aggregate_name", aggregate},
                            {"repetitions", c.real.size()},
                            {"threads", c.workers},
                            {"iterations", c.real.size()},
                            {"real_time", (*real).*pick},
                            {"cpu_time", (*cpu).*pick},
                            {"time_unit", "ns"}});
    }
  }
  return {{"context", context}, {"benchmarks", benchmarks}};
}

nlohmann::json action_benchmark_document(const std::string& prefix) {
  ReportSchema schema;
  const std::vector<Row> rows = read_report_rows(prefix + ".csv", &schema, "export");
  const ReportMeta meta = read_meta(prefix, "export");
  const auto directions = metric_directions(meta);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : summarize_run(rows, schema, meta)) {
    if (!s.ok() || !s.wall_ns) continue;
    std::string name = fmt::format("{} {} w={} pin={}", s.workload, s.backend, s.workers, s.pin);
    for (const auto& [k, v] : s.params) name += fmt::format(" {}={}", k, v);
    out.push_back({{"name", name + " wall"},
                   {"unit", "ns"},
                   {"value", s.wall_ns->median},
                   {"range", fmt::format("± {:.0f}", s.wall_ns->stddev)},
                   {"extra", s.cv() ? fmt::format("median of {} repetitions, cv {:.1f}%",
                                                  s.wall_ns->n, *s.cv() * 100)
                                    : fmt::format("median of {} repetitions", s.wall_ns->n)}});
    for (const auto& [metric, value] : s.metric_medians) {
      const auto d = directions.find(metric);
      if (!value || (d != directions.end() && d->second == Direction::HigherIsBetter)) continue;
      out.push_back({{"name", fmt::format("{} {}", name, metric)},
                     {"unit", metric.ends_with("_ns") ? "ns" : "count"},
                     {"value", *value},
                     {"extra", fmt::format("median of {} repetitions", s.reps)}});
    }
  }
  return out;
}

}  // namespace

const NamedRegistry<ExportFormat>& export_formats() {
  static const NamedRegistry<ExportFormat> formats{
      +[] {
        return std::make_unique<ExportFormat>(
            "json", [](const std::string& p) { return json_document(p).dump(2) + "\n"; });
      },
      +[] {
        return std::make_unique<ExportFormat>(
            "gbench", [](const std::string& p) { return gbench_document(p).dump(2) + "\n"; });
      },
      +[] {
        return std::make_unique<ExportFormat>("github-action-benchmark", [](const std::string& p) {
          return action_benchmark_document(p).dump(2) + "\n";
        });
      }};
  return formats;
}

std::string export_report(const std::string& prefix, std::string_view format) {
  const ExportFormat* f = export_formats().find(format);
  if (f == nullptr) {
    throw BadInput(fmt::format("export: '{}' is not a format; expected {}", format,
                               export_formats().choices()));
  }
  if (!std::filesystem::exists(prefix + ".csv"))
    throw BadInput(fmt::format("export: no report at {}.csv", prefix));
  try {
    return (*f)(prefix);
  } catch (const CsvError& e) {
    throw BadInput(fmt::format("export: {}", e.what()));
  }
}

}  // namespace parbench
