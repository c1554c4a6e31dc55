#pragma once
// One `parbench run`, from the options as typed to its files: the plan, MPI's session under
// mpirun, the machine's description and limits, the rows, summary, timeline and meta.json, the
// console tables, and the exit status. The command line only parses options into RunSettings, so
// `parbench` and a program built against the installed package run the very same code.
#include <functional>
#include <string>
#include <vector>

namespace parbench {

struct RunSettings {
  std::vector<std::string> targets;
  std::string backends, workers, pins = "none", out;
  bool out_given = false;
  std::vector<std::string> params;
  std::string reps, warmup = "1";
  bool reps_given = false;
  double timeout_s = 120;
  bool quiet = false;
  bool profile = false;
  bool refresh_limits = false, no_limits = false;
  std::string filter;
  std::vector<std::string> context;  // KEY=VALUE
  bool dry_run = false;
  bool json = false;
  bool report = false;
  std::string command_line;
};

// Writes PREFIX's report (run --report): the command line's `report`. Returns its exit status.
using ReportWriter = std::function<int(const std::string& prefix)>;

// Exit status: 0, 1 a case failed, 3 a report could not be written, 130 interrupted; throws
// BadInput (exit 2) for bad options, before any file is written.
int run_session(const RunSettings& settings, const ReportWriter& write_report);

}  // namespace parbench
