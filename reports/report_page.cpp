#include "report_page.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "console_table.hpp"
#include "ipc_comparison.hpp"
#include "limits.hpp"
#include "machine.hpp"
#include "sync_comparison.hpp"

namespace parbench {
namespace {

std::string params_text(const SummaryRow& s, bool multi_host,
                        const std::vector<std::pair<std::string, std::string>>& leave_out = {}) {
  std::string text;
  for (const auto& kv : s.params) {
    if (std::find(leave_out.begin(), leave_out.end(), kv) != leave_out.end()) continue;
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", kv.first, kv.second);
  }
  // A merged report or an mpi run across machines: the host leads the parameters.
  if (multi_host) text = fmt::format("host={}{}{}", s.host, text.empty() ? "" : " ", text);
  return text;
}

std::string status_text(const SummaryRow& s) {
  if (s.status() != "ok") return s.status() + ": " + s.error;
  return s.noisy.empty() ? "ok" : "ok, noisy: " + s.noisy;
}

std::string machine_text(const ReportMeta& meta) {
  std::string text = meta.machine.is_object() ? format_machine(meta.machine) : "";
  if (meta.machine.is_object() && meta.machine.contains("limits")) {
    const MachineLimits limits = MachineLimits::from_json(meta.machine["limits"]);
    if (!limits.empty())
      text += "\nwhat this machine allows (parbench limits):\n" + format_limits_table(limits);
  }
  for (const auto& m : meta.machines) {  // written by parbench merge
    text += fmt::format("== {} (from {})\n", m.host, m.source);
    if (m.machine.is_object()) text += format_machine(m.machine);
    text += "\n";
  }
  return text;
}

}  // namespace

std::map<std::string, std::vector<std::pair<std::string, std::string>>> shared_params(
    const std::vector<SummaryRow>& summary) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  std::map<std::string, int> cases;
  for (const auto& s : summary) {
    auto [it, first] = out.try_emplace(s.workload, s.params);
    ++cases[s.workload];
    if (first) continue;
    std::erase_if(it->second, [&](const auto& kv) {
      return std::find(s.params.begin(), s.params.end(), kv) == s.params.end();
    });
  }
  // One case alone shares nothing worth lifting out of its row.
  std::erase_if(out, [&](const auto& w) { return cases[w.first] < 2 || w.second.empty(); });
  return out;
}

ReportTable case_table(
    const std::vector<SummaryRow>& summary,
    const std::map<std::string, std::vector<std::pair<std::string, std::string>>>* shared) {
  ReportTable t{{"workload", "backend", "workers", "parameters", "reps", "median wall", "cv",
                 "work/s", "speedup", "of machine limit", "status"},
                {},
                {}};
  const bool multi_host = std::any_of(summary.begin(), summary.end(), [&](const SummaryRow& s) {
    return s.host != summary.front().host;
  });
  for (const auto& s : summary) {
    const auto& w = s.wall_ns;
    const auto lifted = shared != nullptr ? shared->find(s.workload) : decltype(shared->end()){};
    const bool has_lifted = shared != nullptr && lifted != shared->end();
    t.rows.push_back({s.workload, s.backend, std::to_string(s.workers),
                      params_text(s, multi_host,
                                  has_lifted ? lifted->second
                                             : std::vector<std::pair<std::string, std::string>>{}),
                      std::to_string(s.reps), w ? format_duration(w->median) : "",
                      w && w->n >= kMinRepsForCv ? cv_cell(s) : "",
                      s.work_per_s ? format_rate(*s.work_per_s) : "",
                      s.speedup ? fmt::format("{:.2f}x", *s.speedup) : "",
                      s.of_limit ? limit_cell(s) : "", status_text(s)});
    t.failed.push_back(s.status() != "ok");
  }
  return t;
}

ReportPage make_report_page(const std::string& name, const std::vector<SummaryRow>& summary,
                            const ReportMeta& meta, std::vector<ReportPlot> plots) {
  ReportPage page;
  page.name = name;
  std::size_t ok = 0, failed = 0, unsupported = 0;
  for (const auto& s : summary) (s.unsupported ? unsupported : s.ok() ? ok : failed) += 1;
  page.counts = fmt::format("{} cases: {} ok, {} failed, {} unsupported on this machine",
                            summary.size(), ok, failed, unsupported);
  page.command = meta.run ? meta.run->command : "";
  if (meta.run && meta.run->job.is_object()) {
    const auto& job = meta.run->job;
    auto text = [&](const char* key) {
      return job.contains(key) && job[key].is_string() ? job[key].get<std::string>() : "-";
    };
    if (job.contains("job_id")) {
      page.job =
          fmt::format("Slurm job {} ({}), partition {}, nodes {}, {} task(s), {} CPU(s) per task",
                      text("job_id"), text("job_name"), text("partition"), text("node_list"),
                      text("tasks"), text("cpus_per_task"));
    }
    if (job.contains("launcher"))
      page.job += fmt::format("{}launched by {}", page.job.empty() ? "" : "; ", text("launcher"));
    if (meta.run->mpi.is_object() && meta.run->mpi.contains("hosts"))
      page.job += fmt::format("; rank hosts: {}", meta.run->mpi["hosts"].dump());
  }
  if (meta.run && meta.run->context.is_object()) {
    for (const auto& [key, value] : meta.run->context.items()) {
      page.context += fmt::format("{}{}={}", page.context.empty() ? "" : ", ", key,
                                  value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  page.machine = machine_text(meta);
  const auto shared = shared_params(summary);
  for (const auto& [workload, params] : shared) {
    std::string text;
    for (const auto& [k, v] : params) text += fmt::format(" {}={}", k, v);
    page.constant_params.push_back(fmt::format("{}:{}", workload, text));
  }
  page.cases = case_table(summary, &shared);
  page.comparisons = format_ipc_comparison(summary) + format_sync_comparison(summary);
  page.plots = std::move(plots);
  return page;
}

}  // namespace parbench
