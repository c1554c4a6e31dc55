#pragma once
// A run's report as values: what `parbench report` shows, whatever the format. Rendering is
// separate (report_render.hpp): the HTML page, markdown, a text table and JSON are each one file
// over this.
#include <string>
#include <vector>

#include "console_table.hpp"
#include "report_headline.hpp"
#include "report_meta.hpp"
#include "summary.hpp"

namespace parbench {

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
  std::vector<HeadlineSection> headline;  // first: report_headline.hpp
  // One table per workload: its cases, the parameters they all share above it (table.shared).
  std::vector<WorkloadTable> tables;
  std::string comparisons;  // the IPC and synchronization tables, as text
  std::vector<ReportPlot> plots;
  std::string plots_missing;  // why no plot could be drawn at all ("" when they could)
};

ReportPage make_report_page(const std::string& name, const std::vector<SummaryRow>& summary,
                            const ReportMeta& meta, std::vector<ReportPlot> plots);

// The parameters every case of a table shares: "n=600000000 scaling=strong".
std::string shared_text(const WorkloadTable& table);

// What the tables' columns mean, said once under them.
extern const char* const kTableNotes;
// The heading of a table's speedup stack lines.
extern const char* const kStackTitle;

}  // namespace parbench
