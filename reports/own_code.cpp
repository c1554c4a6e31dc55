#include "own_code.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "console_table.hpp"
#include "limits.hpp"
#include "workload_roles.hpp"

namespace parbench {
namespace {

struct OwnCodeContext {
  const WorkloadRoles& roles;
  const MachineLimits& limits;
  const nlohmann::json& python;  // meta.json run.python: the interpreters, with gil_enabled
  int cpus = 0;                  // the CPUs the run could use
};

using Params = std::vector<std::pair<std::string, std::string>>;

std::string times(std::optional<double> x) { return x ? fmt::format("{:.2f}x", *x) : "-"; }

// The interpreter a case ran in, from meta.json: "CPython 3.11.7, GIL enabled" and whether it has
// a GIL (assumed when unknown).
std::pair<std::string, bool> interpreter(const nlohmann::json& python, const std::string& asked) {
  if (!python.is_array()) return {"", true};
  for (const auto& p : python) {
    if (p.value("asked", "") != (asked.empty() ? "default" : asked) || !p.contains("version"))
      continue;
    const bool gil = p.value("gil_enabled", true);
    return {fmt::format("{} {}, {}", p.value("implementation", "Python"), p.value("version", "?"),
                        gil ? "GIL enabled" : "free-threaded (no GIL)"),
            gil};
  }
  return {"", true};
}

// The cases of one function (or command): the same workload and parameters, by backend and
// worker count.
struct Group {
  std::string workload, pin;
  Params params;
  std::map<std::pair<std::string, int>, const SummaryRow*> cases;
};

std::vector<Group> groups_of(const std::vector<SummaryRow>& rows, const WorkloadRoles& roles,
                             const std::string& kind) {
  std::vector<Group> groups;
  for (const auto& r : rows) {
    if (roles.of(r.workload).own_code != kind || r.unsupported) continue;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
      return x.workload == r.workload && x.pin == r.pin && x.params == r.params;
    });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{r.workload, r.pin, r.params, {}});
    g->cases[{r.backend, r.workers}] = &r;
  }
  return groups;
}

const SummaryRow* ok_case(const Group& g, const std::string& backend, int workers) {
  const auto it = g.cases.find({backend, workers});
  return it != g.cases.end() && it->second->ok() ? it->second : nullptr;
}

std::optional<double> speedup_of(const SummaryRow* r) {
  return r != nullptr ? r->speedup : std::nullopt;
}

// What a run costs beyond starting `true`; "≈ floor" within 15% of it (the floor's own spread).
std::string over_floor(std::optional<double> p50, std::optional<double> floor) {
  if (!p50 || !floor) return "-";
  if (std::abs(*p50 - *floor) < 0.15 * *floor) return "≈ floor";
  return *p50 > *floor ? format_duration(*p50 - *floor) : "below floor";
}

std::string python_block(const Group& g, const OwnCodeContext& ctx) {
  const SummaryRow& any = *g.cases.begin()->second;
  const auto [interp, gil] = interpreter(ctx.python, any.param("python"));
  std::string out =
      fmt::format("\n{}  ({} scaling{}{}{})\n", any.param("target"), any.param("scaling"),
                  any.param("kwargs") == "{}" ? "" : ", kwargs " + any.param("kwargs"),
                  interp.empty() ? "" : "; " + interp,
                  any.metric("checked").value_or(1) > 0 ? ""
                                                        : "; UNCHECKED: no check "
                                                          "function");
  std::vector<int> counts;
  for (const auto& [key, r] : g.cases) {
    if (std::find(counts.begin(), counts.end(), key.second) == counts.end())
      counts.push_back(key.second);
  }
  std::sort(counts.begin(), counts.end());
  std::vector<std::vector<std::string>> table = {
      {"workers", "threads", "processes", "ceiling", "verdict"}};
  for (int n : counts) {
    const SummaryRow* t = ok_case(g, "py_thread", n);
    const SummaryRow* p = ok_case(g, "py_process", n);
    if (n == 1) {
      table.push_back({"1", t != nullptr ? format_duration(t->wall_ns->median) : "-",
                       p != nullptr ? format_duration(p->wall_ns->median) : "-", "-",
                       "one worker: the baseline of each column"});
      continue;
    }
    // A function that mostly waits needs no CPU: no compute ceiling bounds it.
    const SummaryRow* busy = p != nullptr ? p : t;
    const bool waits = busy != nullptr && busy->on_cpu && *busy->on_cpu < 0.5;
    std::optional<double> ceiling;
    if (!waits) ceiling = ctx.limits.speedup_ceiling(n).value_or(n);
    table.push_back({std::to_string(n), times(speedup_of(t)), times(speedup_of(p)),
                     waits ? "- (waits)" : times(ceiling),
                     python_verdict(speedup_of(t), speedup_of(p), ceiling, gil)});
  }
  return out + format_text_table(table, {1, 2, 3});
}

std::string command_block(const Group& g, const OwnCodeContext& ctx) {
  const SummaryRow& any = *g.cases.begin()->second;
  std::string out = fmt::format(
      "\n$ {}  ({} runs per worker{}; CPUs: {})\n", any.param("cmd"), any.param("count"),
      any.param("prepare").empty() || any.param("prepare") == "none"
          ? ""
          : fmt::format("; prepare: {}", any.param("prepare")),
      g.pin == "none" ? fmt::format("unpinned, any of the run's {}", ctx.cpus)
                      : fmt::format("each worker's command on its worker's CPU (--pin {})", g.pin));
  std::vector<std::vector<std::string>> table = {
      {"backend", "workers", "runs/s", "speedup", "run p50", "run p99", "floor p50", "over floor"}};
  for (const auto& [key, r] : g.cases) {
    if (!r->ok()) {
      table.push_back({key.first, std::to_string(key.second), "error", "-", "-", "-", "-", "-"});
      continue;
    }
    const auto p50 = r->metric("run_p50_ns"), p99 = r->metric("run_p99_ns");
    const auto floor = r->metric("floor_p50_ns"), rate = r->metric("runs_per_s");
    const auto ns = [](std::optional<double> v) { return v ? format_duration(*v) : "-"; };
    table.push_back({key.first, std::to_string(key.second), rate ? format_rate(*rate) : "-",
                     times(r->speedup), ns(p50), ns(p99), ns(floor), over_floor(p50, floor)});
  }
  return out + format_text_table(table, {1, 2, 3, 4, 5, 6, 7});
}

}  // namespace

std::string python_verdict(std::optional<double> threads, std::optional<double> processes,
                           std::optional<double> ceiling, bool gil) {
  if (!threads && !processes) return "no result";
  if (!threads) return fmt::format("processes {}; threads did not run", times(processes));
  if (!processes) return fmt::format("threads {}; processes did not run", times(threads));
  const double t = *threads, p = *processes;
  const std::string of_ceiling =
      ceiling ? fmt::format(", {:.0f}% of the ceiling", 100 * std::max(t, p) / *ceiling) : "";
  // "Scales": at least half of the way from 1x to the ceiling (to N when it waits).
  const double scales = ceiling ? 1 + 0.5 * (*ceiling - 1) : 1.5;
  if (t >= 0.9 * p) {
    if (t < scales && p < scales) {
      return fmt::format(
          "neither scales (threads {}, processes {}{}): not the {}; the work itself "
          "or the machine bounds it",
          times(t), times(p), of_ceiling, gil ? "GIL" : "interpreter");
    }
    return gil ? fmt::format(
                     "threads {}: the function releases the GIL; threads serve it as well "
                     "as processes ({}{})",
                     times(t), times(p), of_ceiling)
               : fmt::format("threads {} as processes {}{}: threads serve it", times(t), times(p),
                             of_ceiling);
  }
  if (t < 1.2) {
    return fmt::format("threads {}: {}; use processes ({}{})", times(t),
                       gil ? "GIL-bound" : "threads do not scale", times(p), of_ceiling);
  }
  return fmt::format("processes {} beat threads {}{}: it {}", times(p), times(t), of_ceiling,
                     gil ? "releases the GIL only part of the time"
                         : "shares something threads "
                           "contend for");
}

std::string format_own_code(const std::vector<SummaryRow>& rows, const ReportMeta& meta) {
  const WorkloadRoles roles = WorkloadRoles::from_schema(meta.schema);
  const MachineLimits limits = meta.machine.is_object() && meta.machine.contains("limits")
                                   ? MachineLimits::from_json(meta.machine["limits"])
                                   : MachineLimits{};
  static const nlohmann::json kNone;
  const OwnCodeContext context{roles, limits, meta.run ? meta.run->python : kNone,
                               meta.run ? meta.run->noise_rule.cpus : 0};
  std::string out;
  const auto python = groups_of(rows, context.roles, "python");
  if (!python.empty()) {
    out +=
        "\nYour Python function: threads (py_thread) or processes (py_process)? Speedup over "
        "one worker of the same kind, against the speedup N independent loops reach here\n";
    for (const auto& g : python) out += python_block(g, context);
  }
  const auto commands = groups_of(rows, context.roles, "command");
  if (!commands.empty()) {
    out +=
        "\nYour commands, each run through /bin/sh; the floor is `true` started the same way "
        "by the same workers\n";
    for (const auto& g : commands) out += command_block(g, context);
  }
  return out;
}

}  // namespace parbench
