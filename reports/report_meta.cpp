#include "report_meta.hpp"

#include <fmt/core.h>

#include <filesystem>

#include "report_files.hpp"
#include "text_utils.hpp"

namespace parbench {
namespace {

using json = nlohmann::json;

template <class T>
void set_if(json& j, const char* key, const T& value, bool present) {
  if (present) j[key] = value;
}

// j[key] as T, or `fallback` when it is missing or of another type: a merged report's sources
// carry other runs' meta.json, which check_meta_shape does not reach.
template <class T>
T field(const json& j, const char* key, T fallback) {
  if (!j.contains(key)) return fallback;
  try {
    return j[key].get<T>();
  } catch (const json::type_error&) {
    return fallback;
  }
}

}  // namespace

json RunMeta::to_json() const {
  json j = {{"command", command},     {"targets", targets},
            {"reps", reps},           {"warmup", warmup},
            {"timeout_s", timeout_s}, {"cases", cases},
            {"complete", complete},   {"noise_rule", noise_rule_json(noise_rule)},
            {"profile", profile},     {"started_at", started_at}};
  set_if(j, "finished_at", finished_at, !finished_at.empty());
  set_if(j, "interrupted_by_signal", interrupted_by_signal.value_or(0),
         interrupted_by_signal.has_value());
  set_if(j, "ended_by", ended_by, !ended_by.empty());
  set_if(j, "summary_error", summary_error, !summary_error.empty());
  set_if(j, "mpi", mpi, !mpi.is_null());
  set_if(j, "calibration", calibration, !calibration.is_null());
  set_if(j, "python", python, !python.is_null());
  set_if(j, "context", context, context.is_object() && !context.empty());
  set_if(j, "job", job, !job.is_null());
  return j;
}

RunMeta RunMeta::from_json(const json& j) {
  RunMeta r;
  if (!j.is_object()) return r;
  r.command = field(j, "command", std::string());
  r.targets = field(j, "targets", std::vector<std::string>());
  r.reps = field(j, "reps", 0);
  r.warmup = field(j, "warmup", 0);
  r.timeout_s = field(j, "timeout_s", 0.0);
  r.cases = field(j, "cases", std::size_t{0});
  try {
    r.noise_rule = noise_rule_from_json(field(j, "noise_rule", json()));
  } catch (const json::type_error&) {
    r.noise_rule = NoiseRule{};  // a source's malformed rule: the defaults
  }
  r.started_at = field(j, "started_at", std::string());
  r.finished_at = field(j, "finished_at", std::string());
  r.complete = field(j, "complete", false);
  if (j.contains("interrupted_by_signal") && j["interrupted_by_signal"].is_number_integer())
    r.interrupted_by_signal = j["interrupted_by_signal"].get<int>();
  r.ended_by = field(j, "ended_by", std::string());
  r.summary_error = field(j, "summary_error", std::string());
  r.mpi = field(j, "mpi", json());
  r.profile = field(j, "profile", false);
  r.calibration = field(j, "calibration", json());
  r.python = field(j, "python", json());
  r.context = field(j, "context", json());
  r.job = field(j, "job", json());
  return r;
}

json ReportMeta::to_json() const {
  json j = json::object();
  if (!machine.is_null()) j["machine"] = machine;
  if (run) j["run"] = run->to_json();
  if (!schema.is_null()) j["schema"] = schema;
  if (!machines.empty()) {
    j["merged"] = {{"sources", json::array()}};
    j["machines"] = json::array();
    for (const auto& m : machines) {
      j["merged"]["sources"].push_back(m.source);
      j["machines"].push_back({{"source", m.source},
                               {"host", m.host},
                               {"label", m.label},
                               {"machine", m.machine},
                               {"run", m.run ? m.run->to_json() : json()}});
    }
  }
  return j;
}

ReportMeta ReportMeta::from_json(const json& j) {
  ReportMeta m;
  m.machine = field(j, "machine", json());
  if (j.contains("run") && j["run"].is_object()) m.run = RunMeta::from_json(j["run"]);
  m.schema = field(j, "schema", json());
  for (const auto& s : field(j, "machines", json::array())) {
    if (!s.is_object()) continue;
    MergedSource src{field(s, "source", std::string()), field(s, "host", std::string()),
                     field(s, "label", std::string()), field(s, "machine", json()), std::nullopt};
    if (s.contains("run") && s["run"].is_object()) src.run = RunMeta::from_json(s["run"]);
    m.machines.push_back(std::move(src));
  }
  return m;
}

std::string ReportMeta::hostname() const {
  return machine.is_object() && machine.contains("hostname") && machine["hostname"].is_string()
             ? machine["hostname"].get<std::string>()
             : std::string();
}

std::map<std::string, Direction> metric_directions(const ReportMeta& meta) {
  std::map<std::string, Direction> out;
  if (!meta.schema.is_object() || !meta.schema.contains("metrics")) return out;
  const json& metrics = meta.schema["metrics"];
  if (!metrics.is_object()) return out;
  for (const auto& [name, spec] : metrics.items()) {
    const std::string better = field(spec, "better", std::string());
    if (better == "lower") out[name] = Direction::LowerIsBetter;
    if (better == "higher") out[name] = Direction::HigherIsBetter;
  }
  return out;
}

namespace {

// The facts machine_differences compares, as (name, text); empty for no description.
std::vector<std::pair<std::string, std::string>> comparable_facts(const json& m) {
  if (!m.is_object() || !m.contains("cpu_model")) return {};
  auto text = [&](const char* key) {
    if (!m.contains(key) || m[key].is_null()) return std::string("unknown");
    return m[key].is_string() ? m[key].get<std::string>() : m[key].dump();
  };
  const std::string sanitizers = text("sanitizers");
  const std::string build =
      text("build_type") + (sanitizers.empty() || sanitizers == "unknown" || sanitizers == "none"
                                ? ""
                                : fmt::format(" ({})", sanitizers));
  return {{"cpu_model", text("cpu_model")},
          {"online_cpus", text("online_cpus")},
          {"kernel", text("kernel")},
          {"build", build}};
}

}  // namespace

std::vector<std::string> machine_differences(const json& a, const json& b) {
  const auto fa = comparable_facts(a), fb = comparable_facts(b);
  std::vector<std::string> out;
  if (fa.empty() || fb.empty()) return out;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    if (fa[i].second != fb[i].second) {
      out.push_back(fmt::format("{}: '{}' in the baseline, '{}' in the new report", fa[i].first,
                                fa[i].second, fb[i].second));
    }
  }
  return out;
}

std::string machine_fingerprint(const json& machine) {
  const auto facts = comparable_facts(machine);
  if (facts.empty()) return "";
  std::string text;
  for (const auto& [name, value] : facts) text += fmt::format("{}={};", name, value);
  const std::uint64_t h = fnv1a64(text);
  return fmt::format("{:010x}", h & 0xFFFFFFFFFFULL);
}

ReportMeta read_meta(const std::string& prefix, std::string_view command) {
  return ReportMeta::from_json(read_report_meta(prefix, command));
}

}  // namespace parbench
