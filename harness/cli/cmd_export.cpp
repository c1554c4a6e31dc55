// parbench export PREFIX --format json|gbench|github-action-benchmark [--out FILE]: a finished
// report in the formats dashboards and alerting read (reports/export.hpp).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "bad_input.hpp"
#include "commands.hpp"
#include "csv_writer.hpp"
#include "export.hpp"
#include "report_files.hpp"

namespace parbench::cli {

Command add_export(CLI::App& app) {
  struct State {
    std::string prefix, format = "json", out;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "export", "Write a report as JSON, Google Benchmark JSON or github-action-benchmark input");
  cmd->add_option("prefix", s->prefix, "The report: PREFIX or PREFIX.csv")->required();
  cmd->add_option("--format", s->format,
                  fmt::format("{} (default json)", fmt::join(export_formats().names(), ", ")));
  cmd->add_option("-o,--out", s->out, "Output file (default: standard output)");
  return [s] {
    if (!s->out.empty()) check_output_file(s->out, "--out");
    const std::string text = export_report(report_prefix(s->prefix), s->format);
    if (s->out.empty()) {
      fmt::print("{}", text);
    } else {
      write_file_atomically(s->out, text);
    }
    return 0;
  };
}

}  // namespace parbench::cli
