#include "report_page.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "console_table.hpp"
#include "ipc_comparison.hpp"
#include "limits.hpp"
#include "machine.hpp"
#include "own_code.hpp"
#include "sync_comparison.hpp"

namespace parbench {
namespace {

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

const char* const kTableNotes =
    "median: of the wall times of the successful repetitions. 95% CI: the distribution-free "
    "interval of that median (6 or more repetitions). cv: standard deviation / mean of the wall "
    "times (3 or more repetitions; over 10% marks the case noisy). work/s: the workload's work "
    "units per second of median wall time. speedup: work/s against the same case at 1 worker. "
    "of machine limit: the figure as a share of what `parbench limits` measured this machine "
    "allows. MB/s is 10^6 bytes per second.";

const char* const kStackTitle =
    "Why not Nx: each multi-worker case's speedup plus where the rest went, in speedup units, "
    "adding up to the worker count (docs/measurement.md, speedup stacks)";

std::string shared_text(const WorkloadTable& table) {
  std::string text;
  for (const auto& [k, v] : table.shared)
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", k, v);
  return text;
}

ReportPage make_report_page(const std::string& name, const std::vector<SummaryRow>& summary,
                            const ReportMeta& meta, std::vector<ReportPlot> plots) {
  ReportPage page;
  page.name = name;
  std::size_t ok = 0, failed = 0, unsupported = 0;
  for (const auto& s : summary) (s.unsupported ? unsupported : s.ok() ? ok : failed) += 1;
  page.counts = fmt::format(
      "{} cases: {} ok, {} failed, {} unsupported on {}", summary.size(), ok, failed, unsupported,
      meta.machines.size() > 1 ? fmt::format("{} machines", meta.machines.size())
                               : std::string("this machine"));
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
  page.headline = report_headline(summary, meta);
  page.tables = workload_tables(summary, {.ci = true, .work_rate = true});
  const WorkloadRoles roles = WorkloadRoles::from_schema(meta.schema);
  page.comparisons = format_ipc_comparison(summary, roles) +
                     format_sync_comparison(summary, roles) + format_own_code(summary, meta);
  page.plots = std::move(plots);
  return page;
}

}  // namespace parbench
