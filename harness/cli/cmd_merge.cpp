// parbench merge A.csv B.csv ... --out ALL: one report from runs on several machines (reports/
// merge.hpp). Exit status: 0 written, 2 bad input (nothing written), 3 a file could not be
// written.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <set>

#include "bad_input.hpp"
#include "commands.hpp"
#include "merge.hpp"
#include "report_files.hpp"

namespace parbench::cli {

namespace fs = std::filesystem;

Command add_merge(CLI::App& app) {
  struct State {
    std::vector<std::string> reports, labels;
    std::string out;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "merge",
      "Combine reports from several machines into one, the host as a column and each machine's "
      "description kept (then compare, report and the plot scripts work on it)");
  cmd->add_option("reports", s->reports, "Reports to merge: PREFIX.csv or PREFIX, two or more")
      ->required();
  cmd->add_option("--out", s->out,
                  "PREFIX of the merged report (PREFIX.csv, .summary.csv, .meta.json)")
      ->required();
  cmd->add_option("--label", s->labels,
                  "A name per report, in order, used as its host (for runs on the same machine)")
      ->delimiter(',')
      ->allow_extra_args(false);
  return [s] {
    if (!s->labels.empty() && s->labels.size() != s->reports.size()) {
      throw BadInput(fmt::format("--label: {} labels for {} reports; expected one per report",
                                 s->labels.size(), s->reports.size()));
    }
    for (const auto& label : s->labels) {
      if (!valid_utf8(label)) {
        throw BadInput("--label: a label is not valid UTF-8; expected a UTF-8 name such as node1");
      }
      if (label.empty()) throw BadInput("--label: an empty label; expected a name such as node1");
    }
    const std::string out = report_prefix(s->out);
    check_output_prefix(out, "--out");
    std::vector<MergeInput> inputs;
    for (std::size_t i = 0; i < s->reports.size(); ++i) {
      const std::string prefix = report_prefix(s->reports[i]);
      std::error_code ec;
      if (fs::equivalent(prefix + ".csv", out + ".csv", ec)) {
        throw BadInput(fmt::format(
            "--out: {}.csv is one of the reports being merged; choose another PREFIX", out));
      }
      inputs.push_back({prefix, s->labels.empty() ? std::string() : s->labels[i]});
    }
    const MergedReport merged = merge_reports(inputs);
    prepare_output_prefix(out, "--out");
    write_merged(out, merged);  // ReportWriteError: exit 3, each file whole or as it was
    std::set<std::string> hosts;
    for (const auto& r : merged.rows) hosts.insert(r.host);
    fmt::print(
        "merged {} reports ({} rows, {} cases) from {} machines\nrows:     {}.csv\nsummary:  "
        "{}.summary.csv\nmachines: {}.meta.json\n",
        s->reports.size(), merged.rows.size(), merged.summary.size(), hosts.size(), out, out, out);
    return 0;
  };
}

}  // namespace parbench::cli
