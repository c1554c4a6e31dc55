#pragma once
// A run's report as values: what `parbench report` shows, whatever the format. Rendering is
// separate (report_render.hpp): the HTML page, markdown, a text table and JSON are each one file
// over this.
#include <map>
#include <string>
#include <vector>

#include "report_meta.hpp"
#include "summary.hpp"

namespace parbench {

struct ReportTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> failed;  // per row: the case failed or cannot run here
};

struct ReportPlot {
  std::string title;
  std::string png_path;  // beside the report (the markdown links it)
  std::string png;       // the image's bytes (the HTML page embeds them)
};

struct ReportPage {
  std::string name;     // the run's file name prefix
  std::string counts;   // "12 cases: 11 ok, 0 failed, 1 unsupported on this machine"
  std::string command;  // the command line that ran it ("" when unknown)
  std::string context;  // run --context: "ticket=PERF-12, role=ci" ("" when none)
  std::string job;      // the Slurm job, the launcher and the rank hosts ("" outside a job)
  std::string machine;  // the machine description(s), as lines
  // Parameters every case of a workload shares, shown once above the table and left out of its
  // rows: "cpu_sum: n=600000000 scaling=strong extra_pct=0".
  std::vector<std::string> constant_params;
  ReportTable cases;
  std::string comparisons;  // the IPC and synchronization tables, as text
  std::vector<ReportPlot> plots;
  std::string plots_missing;  // why no plot could be drawn at all ("" when they could)
};

ReportPage make_report_page(const std::string& name, const std::vector<SummaryRow>& summary,
                            const ReportMeta& meta, std::vector<ReportPlot> plots);

// The case table: one row per case, its parameters, median wall, CV, work rate, speedup, its share
// of the machine's limit, status.
// The parameters shared by every case of each workload (page.constant_params) are left out of the
// rows' parameters when `shared` is given.
ReportTable case_table(
    const std::vector<SummaryRow>& summary,
    const std::map<std::string, std::vector<std::pair<std::string, std::string>>>* shared =
        nullptr);
// Per workload, the parameter values every one of its cases has.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> shared_params(
    const std::vector<SummaryRow>& summary);

}  // namespace parbench
