#pragma once
// PREFIX.meta.json as a value: what machine a report was measured on and how the run went. run
// writes it, merge combines several, report and compare read it; all through to_json/from_json,
// so the file has one shape. machine stays JSON: it is describe_machine()'s record, read by people
// and by format_machine().
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columns.hpp"
#include "summary.hpp"

namespace parbench {

struct RunMeta {
  std::string command;
  std::vector<std::string> targets;
  int reps = 0;
  int warmup = 0;
  double timeout_s = 0;
  std::size_t cases = 0;
  NoiseRule noise_rule;
  bool profile = false;        // perf_event counters were open in the workers (run --profile)
  nlohmann::json calibration;  // the busy-work loop's ns per iteration; null when not measured
  nlohmann::json context;      // run --context KEY=VALUE: the user's own facts, an object or null
  nlohmann::json job;          // the Slurm job and the launcher (srun, mpirun); null outside one
  std::string started_at;
  std::string finished_at;  // empty until the run ends
  bool complete = false;
  std::optional<int> interrupted_by_signal;
  std::string ended_by;       // why the run did not complete ("" when it did)
  std::string summary_error;  // why PREFIX.summary.csv could not be written
  nlohmann::json mpi;         // the MPI job (library, ranks, hosts, binding); null otherwise
  // The interpreters the Python cases ran in, one object each (as asked, executable, version,
  // implementation, gil_enabled); null when no case ran Python.
  nlohmann::json python;

  [[nodiscard]] nlohmann::json to_json() const;
  static RunMeta from_json(const nlohmann::json& j);
};

// One input of a merged report: where it came from and what it was measured on.
struct MergedSource {
  std::string source;  // PREFIX.csv
  std::string host;    // its hosts, joined by ", "
  std::string label;   // --label, or ""
  nlohmann::json machine;
  std::optional<RunMeta> run;
};

// clang-tidy 14 flags the implicit constructors of a struct holding an nlohmann::json; nothing
// here is declared noexcept.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct ReportMeta {
  nlohmann::json machine;              // null in a merged report (each source has its own)
  std::optional<RunMeta> run;          // absent in a merged report
  nlohmann::json schema;               // params, metrics (help, direction), work units
  std::vector<MergedSource> machines;  // parbench merge only

  [[nodiscard]] nlohmann::json to_json() const;
  static ReportMeta from_json(const nlohmann::json& j);
  // The machine's host name, or "".
  [[nodiscard]] std::string hostname() const;
};

// The metrics' directions as the run declared them (schema.metrics.NAME.better), by name.
std::map<std::string, Direction> metric_directions(const ReportMeta& meta);

// What makes two machines' figures incomparable: the CPU model, the number of online CPUs, the
// kernel release and the build (type and sanitizers). One "name: 'a' here, 'b' there" per
// difference, in that order; empty when they match or when either description is missing (a
// merged report, a CSV without meta.json: nothing to check).
std::vector<std::string> machine_differences(const nlohmann::json& a, const nlohmann::json& b);
// Those four facts as a short stable name (10 hex digits): scripts/perf_gate.sh keeps one
// baseline per machine under it. "" without a description.
std::string machine_fingerprint(const nlohmann::json& machine);

// PREFIX.meta.json read and checked (check_meta_shape), or an empty ReportMeta when the file does
// not exist. Throws BadInput naming `command`, the file and the field.
ReportMeta read_meta(const std::string& prefix, std::string_view command);

}  // namespace parbench
