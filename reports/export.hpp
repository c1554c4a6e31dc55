#pragma once
// A finished report in the formats other tools read (`parbench export`, `run --json`):
//   json                     PREFIX.json: meta.json, every row and every summary line in one
//                            document, cells typed (numbers as numbers, empty cells as null);
//                            schema in reports/README.md
//   gbench                   Google Benchmark's JSON (--benchmark_format=json with repetitions):
//                            one "iteration" entry per repetition (real_time: wall_ns, cpu_time:
//                            the workers' CPU, each workload metric a counter) and the median,
//                            mean and stddev aggregates per case; `parbench compare` and
//                            Google Benchmark's compare.py read it
//   github-action-benchmark  the "customSmallerIsBetter" array of github-action-benchmark: per
//                            case its median wall time, and the median of every lower-is-better
//                            workload metric, each with its unit and the case's spread
#include <string>
#include <string_view>
#include <vector>

#include "named_registry.hpp"

namespace parbench {

inline constexpr int kJsonReportVersion = 1;

// The export of the report at PREFIX (PREFIX.csv, .summary.csv, .meta.json). Throws BadInput for
// an unknown format or a missing or malformed report.
std::string export_report(const std::string& prefix, std::string_view format);
// The formats above, one function each from PREFIX to the document.
using ExportFormat = NamedFunction<std::string(const std::string& prefix)>;
const NamedRegistry<ExportFormat>& export_formats();

}  // namespace parbench
