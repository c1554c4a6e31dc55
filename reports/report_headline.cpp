#include "report_headline.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <optional>

#include "console_table.hpp"
#include "ipc_comparison.hpp"
#include "limits.hpp"
#include "speedup_stack.hpp"
#include "sync_comparison.hpp"

namespace parbench {
namespace {
namespace headline {

// What names a case among its workload's: the parameters with more than one value, led by "host"
// when its cases ran on more than one machine (a merged report, mpi across hosts).
std::vector<std::string> naming_params(const std::vector<const SummaryRow*>& mine) {
  std::vector<std::string> out = varying_params(mine);
  if (std::any_of(mine.begin(), mine.end(),
                  [&](const SummaryRow* r) { return r->host != mine.front()->host; }))
    out.insert(out.begin(), "host");
  return out;
}

// Per workload, its cases and what names one of them.
struct Group {
  std::string workload;
  std::vector<const SummaryRow*> cases;
  std::vector<std::string> naming;
};

std::string label(const SummaryRow& r, const std::vector<std::string>& varying) {
  std::string text = fmt::format("{} w={}", r.backend, r.workers);
  // Where a placement parameter chose the pinning, it says the same in words.
  if (r.pin != "none" && r.param("placement").empty()) text += fmt::format(" pin={}", r.pin);
  for (const auto& p : varying) text += fmt::format(" {}={}", p, p == "host" ? r.host : r.param(p));
  return text;
}

// "1.48 G terms/s, 1.97x, 99% of 1.98x"
std::string figure(const SummaryRow& r, const std::string& unit) {
  std::string text = format_rate(*r.work_per_s);  // "1.48 G/s", "312 /s"
  if (!unit.empty()) {
    const std::size_t slash = text.rfind('/');
    text = fmt::format("{}{}{}", text.substr(0, slash), text[slash - 1] == ' ' ? "" : " ",
                       fmt::format("{}/s", unit));
  }
  if (r.speedup && r.workers > 1) text += fmt::format(", {:.2f}x", *r.speedup);
  if (r.of_limit && r.limit) text += fmt::format(", {}", limit_cell(r));
  return text;
}

std::string workload_line(const Group& g, const std::string& unit) {
  const auto& [workload, mine, varying] = g;
  std::vector<const SummaryRow*> ok;
  for (const auto* r : mine) {
    if (r->ok() && r->work_per_s) ok.push_back(r);
  }
  std::string text =
      fmt::format("{} ({} case{})", workload, mine.size(), mine.size() == 1 ? "" : "s");
  if (ok.empty()) return text + ": no case succeeded";
  if (ok.size() == 1)
    return text + fmt::format(": {}: {}", label(*ok[0], varying), figure(*ok[0], unit));
  const auto by_rate = [](const SummaryRow* a, const SummaryRow* b) {
    return *a->work_per_s < *b->work_per_s;
  };
  const auto* fastest = *std::max_element(ok.begin(), ok.end(), by_rate);
  const auto* slowest = *std::min_element(ok.begin(), ok.end(), by_rate);
  text += fmt::format(": fastest {}: {}; slowest {}: {}", label(*fastest, varying),
                      figure(*fastest, unit), label(*slowest, varying), figure(*slowest, unit));
  // The case furthest from what the machine allows, when that is not the slowest already.
  const SummaryRow* farthest = nullptr;
  for (const auto* r : ok) {
    if (r->of_limit && (farthest == nullptr || *r->of_limit < *farthest->of_limit)) farthest = r;
  }
  if (farthest != nullptr && farthest != slowest) {
    text += fmt::format("; farthest from the machine's limit {}: {}", label(*farthest, varying),
                        limit_cell(*farthest));
  }
  return text;
}

// Failed cases one by one (up to kListed, then how many more); noisy cases counted per workload,
// with the few that spread most.
constexpr std::size_t kListed = 8;
constexpr std::size_t kNoisyNamed = 3;

std::vector<std::string> attention_lines(const std::vector<Group>& groups) {
  std::vector<std::string> out;
  std::size_t unsupported = 0, failed = 0;
  for (const auto& [workload, mine, varying] : groups) {
    std::vector<const SummaryRow*> noisy;
    for (const auto* r : mine) {
      if (r->unsupported) {
        ++unsupported;
      } else if (!r->ok()) {
        if (++failed <= kListed)
          out.push_back(fmt::format("failed: {} {}: {}", workload, label(*r, varying), r->error));
      } else if (!r->noisy.empty()) {
        noisy.push_back(r);
      }
    }
    if (noisy.empty()) continue;
    const auto cv = [](const SummaryRow* r) { return r->cv().value_or(0); };
    std::stable_sort(noisy.begin(), noisy.end(),
                     [&](const SummaryRow* a, const SummaryRow* b) { return cv(a) > cv(b); });
    std::string named;
    for (std::size_t i = 0; i < noisy.size() && i < kNoisyNamed; ++i) {
      named +=
          fmt::format("{}{}: {}", i == 0 ? "" : "; ", label(*noisy[i], varying), noisy[i]->noisy);
    }
    out.push_back(noisy.size() == 1
                      ? fmt::format("noisy: {} {}", workload, named)
                      : fmt::format("noisy: {} of {} cases of {}{}: {}", noisy.size(), mine.size(),
                                    workload, noisy.size() > kNoisyNamed ? ", the most spread" : "",
                                    named));
  }
  if (failed > kListed)
    out.push_back(fmt::format("failed: {} more (the status column says why)", failed - kListed));
  if (unsupported > 0) {
    out.push_back(fmt::format(
        "{} case{} cannot be measured on this machine or backend (unsupported; the reason is in "
        "the table)",
        unsupported, unsupported == 1 ? "" : "s"));
  }
  return out;
}

// Cases past their limit by more than kPastLimit: the limit, not the case, is then suspect (limits
// are cached per boot, and a measurement taken while the machine was busy understates them).
constexpr double kPastLimit = 1.10;

std::optional<std::string> past_limit_line(const std::vector<Group>& groups,
                                           const ReportMeta& meta) {
  std::size_t past = 0;
  std::string named;
  for (const auto& g : groups) {
    for (const auto* r : g.cases) {
      if (!r->of_limit || *r->of_limit <= kPastLimit || ++past > kNoisyNamed) continue;
      named += fmt::format("{}{} {}: {}", past == 1 ? "" : "; ", g.workload, label(*r, g.naming),
                           limit_cell(*r));
    }
  }
  if (past == 0) return std::nullopt;
  const auto& limits = meta.machine.is_object() && meta.machine.contains("limits")
                           ? meta.machine["limits"]
                           : nlohmann::json::object();
  const std::string when =
      limits.contains("measured_at") && limits["measured_at"].is_string()
          ? fmt::format(" (measured {})", limits["measured_at"].get<std::string>())
          : "";
  return fmt::format(
      "past the machine's limit by more than {:.0f}%: {} case{}, {}{}. A limit below what a case "
      "reached is suspect: the limits{} may have been measured while the machine was busy; run "
      "again with --refresh-limits",
      (kPastLimit - 1) * 100, past, past == 1 ? "" : "s", named, past > kNoisyNamed ? ", ..." : "",
      when);
}

// The machine's limits that were taken while it was busy (limits.hpp): what is measured against
// them reads closer to the limit than it is.
std::optional<std::string> busy_limits_line(const ReportMeta& meta) {
  if (!meta.machine.is_object() || !meta.machine.contains("limits")) return std::nullopt;
  const MachineLimits limits = MachineLimits::from_json(meta.machine["limits"]);
  std::string named;
  std::size_t busy = 0;
  for (const LimitValue& v : limits.values) {
    const std::string load = v.under_load();
    if (load.empty() || ++busy > kNoisyNamed) continue;
    named += fmt::format("{}{}{} ({})", busy == 1 ? "" : "; ", v.name,
                         v.placement.empty() ? "" : " " + v.placement, load);
  }
  if (busy == 0) return std::nullopt;
  return fmt::format(
      "{} of the machine's limits were taken while it was busy: {}{}. Cases read nearer those "
      "limits than they are; measure them again on a quiet machine (parbench limits)",
      busy, named, busy > kNoisyNamed ? ", ..." : "");
}

std::vector<std::string> ipc_lines(const std::vector<SummaryRow>& summary,
                                   const WorkloadRoles& roles) {
  const IpcRanking ranking = rank_ipc_channels(summary, roles);
  std::vector<std::string> out;
  std::string rtt;
  for (const auto& l : ranking.lines) {
    const auto& v = l.cross_core_rtt ? l.cross_core_rtt : l.same_core_rtt;
    if (!v) continue;
    rtt += fmt::format("{}{} {} {}{}", rtt.empty() ? "" : ", ", l.channel, l.backend,
                       format_duration(*v), l.cross_core_rtt ? "" : " (one core)");
  }
  if (ranking.rtt_size && !rtt.empty()) {
    out.push_back(
        fmt::format("IPC round trip p50 of a {}-byte message across cores, fastest first: {}",
                    *ranking.rtt_size, rtt));
  }
  std::vector<const IpcLine*> by_throughput;
  for (const auto& l : ranking.lines) {
    if (l.throughput) by_throughput.push_back(&l);
  }
  std::stable_sort(
      by_throughput.begin(), by_throughput.end(),
      [](const IpcLine* a, const IpcLine* b) { return *a->throughput > *b->throughput; });
  std::string thr;
  for (const auto* l : by_throughput) {
    thr += fmt::format("{}{} {} {:.0f} MB/s", thr.empty() ? "" : ", ", l->channel, l->backend,
                       *l->throughput);
  }
  if (!thr.empty()) {
    out.push_back(fmt::format("IPC throughput of {}-byte messages, highest first: {}",
                              ranking.stream_size, thr));
  }
  return out;
}

// Each workload's widest cases with a speedup stack: where the speedup short of N went, by its
// largest component.
std::vector<std::string> stack_lines(const std::vector<Group>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) {
    int widest = 0;
    for (const auto* r : g.cases) {
      if (r->stack) widest = std::max(widest, r->workers);
    }
    for (const auto* r : g.cases) {
      if (!r->stack || r->workers != widest) continue;
      const auto loss = largest_loss(*r->stack);
      out.push_back(fmt::format(
          "{} {}: {:.2f}x of {}.00x; {}", g.workload, label(*r, g.naming), *r->speedup, widest,
          loss ? fmt::format("most of the loss is {} ({:.2f}x)", loss->label, *loss->value)
               : std::string("nothing measurable was lost")));
    }
  }
  return out;
}

}  // namespace headline
}  // namespace

std::vector<HeadlineSection> report_headline(const std::vector<SummaryRow>& summary,
                                             const ReportMeta& meta) {
  using namespace headline;
  std::vector<HeadlineSection> out;
  HeadlineSection per_workload{
      "Per workload (work per second; speedup and share of the machine's "
      "limit where they apply)",
      {}};
  std::vector<Group> groups;
  for (auto& [workload, cases] : cases_by_workload(summary)) {
    auto naming = naming_params(cases);
    groups.push_back({workload, std::move(cases), std::move(naming)});
  }
  const nlohmann::json& units = meta.schema.is_object() && meta.schema.contains("work_units")
                                    ? meta.schema["work_units"]
                                    : nlohmann::json::object();
  for (const auto& g : groups) {
    const std::string unit = units.contains(g.workload) && units[g.workload].is_string()
                                 ? units[g.workload].get<std::string>()
                                 : "";
    per_workload.lines.push_back(workload_line(g, unit));
  }
  if (!per_workload.lines.empty()) out.push_back(std::move(per_workload));
  HeadlineSection stacks{
      "Why not N× (speedup stacks of each workload's widest cases; the tables list every case)",
      stack_lines(groups)};
  if (!stacks.lines.empty()) out.push_back(std::move(stacks));
  HeadlineSection attention{"Needs a look", attention_lines(groups)};
  if (meta.schema.is_object() && meta.schema.contains("unchecked") &&
      meta.schema["unchecked"].is_array()) {
    for (const auto& name : meta.schema["unchecked"]) {
      if (!name.is_string()) continue;
      attention.lines.push_back(fmt::format(
          "unverified: {} declares no check of its result, so its figures are of work nobody "
          "checked",
          name.get<std::string>()));
    }
  }
  if (auto line = past_limit_line(groups, meta)) attention.lines.push_back(std::move(*line));
  if (auto line = busy_limits_line(meta)) attention.lines.push_back(std::move(*line));
  if (!attention.lines.empty()) out.push_back(std::move(attention));
  const WorkloadRoles roles = WorkloadRoles::from_schema(meta.schema);
  HeadlineSection rankings{"Rankings", ipc_lines(summary, roles)};
  for (auto& line : sync_rankings(summary, roles)) rankings.lines.push_back(std::move(line));
  if (!rankings.lines.empty()) out.push_back(std::move(rankings));
  return out;
}

}  // namespace parbench
