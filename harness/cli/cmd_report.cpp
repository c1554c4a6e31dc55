// parbench report PREFIX: a run's report (reports/report_page.hpp) in the formats asked for: one
// self-contained HTML page (the plots embedded as data: URIs), markdown (next to the plots' PNG
// files), text, JSON. The plots come from the scripts/plot_*.py that have something to draw.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "bad_input.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "of_limit.hpp"
#include "plan.hpp"
#include "report_files.hpp"
#include "report_meta.hpp"
#include "report_render.hpp"
#include "rows_csv.hpp"
#include "scripts_dir.hpp"
#include "subprocess.hpp"
#include "summary.hpp"

namespace parbench::cli {
namespace {

namespace fs = std::filesystem;

struct Plot {
  std::string script, title;
  std::string input = ".summary.csv";  // the run's file the script reads
  std::vector<std::string> args;
};

const std::vector<Plot> kPlots = {
    {"plot_speedup.py", "Speedup against workers", ".summary.csv", {"--annotate-switches"}},
    {"plot_speedup_stack.py", "Why not Nx: speedup stacks", ".summary.csv", {}},
    {"plot_ipc_latency.py", "IPC round-trip latency against message size", ".summary.csv", {}},
    {"plot_ipc_throughput.py", "IPC throughput against message size", ".summary.csv", {}},
    {"plot_lock_throughput.py", "Lock throughput against workers", ".summary.csv", {}},
    {"plot_lock_fairness.py", "Lock fairness against workers", ".summary.csv", {}},
    {"plot_timeline.py",
     "When each worker ran: 2-worker cases, first repetition",
     ".timeline.csv",
     {"--workers", "2", "--max-panels", "6"}},
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a plot script quietly; true when it drew (exit 0 and the PNG exists).
bool draw(const fs::path& script, const std::string& input, const std::vector<std::string>& args,
          const std::string& out) {
  if (!fs::exists(input)) return false;
  std::vector<std::string> argv = {"/usr/bin/python3", script.string(), input, "-o", out};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_and_wait(argv, "/dev/null") == 0 && fs::exists(out + ".png");
}

// Why the plot scripts cannot run here at all, or "": no python3, a script missing, no matplotlib.
std::string plots_unavailable(const std::string& scripts_dir) {
  if (!fs::exists("/usr/bin/python3")) return "/usr/bin/python3 is not installed";
  for (const auto& p : kPlots) {
    if (!fs::exists(fs::path(scripts_dir) / p.script)) {
      return fmt::format("the plot script {} is not in {} (--scripts DIR)", p.script, scripts_dir);
    }
  }
  if (run_and_wait({"/usr/bin/python3", "-c", "import matplotlib"}, "/dev/null") != 0)
    return "matplotlib is not installed for /usr/bin/python3 (Debian: python3-matplotlib)";
  return "";
}

// Every plot that has something to draw in this run, as PREFIX.report.<script>.png.
std::vector<ReportPlot> draw_plots(const std::string& prefix, const std::string& scripts_dir) {
  std::vector<ReportPlot> drawn;
  for (const auto& p : kPlots) {
    const std::string out = fmt::format("{}.report.{}", prefix, fs::path(p.script).stem().string());
    if (draw(fs::path(scripts_dir) / p.script, prefix + p.input, p.args, out))
      drawn.push_back({p.title, out + ".png", slurp(out + ".png")});
  }
  return drawn;
}

std::vector<const ReportRenderer*> parse_formats(const std::string& list) {
  std::vector<const ReportRenderer*> out;
  for (const auto& name : split_list(list, "--format")) {
    const ReportRenderer* r = find_renderer(name);
    if (r == nullptr) {
      std::vector<std::string> known;
      for (const auto& k : report_renderers()) known.emplace_back(k->name());
      throw BadInput(fmt::format("--format: '{}' is not a format; expected a list of {}", name,
                                 fmt::join(known, ", ")));
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace

int write_report(const std::string& prefix_in, const std::string& scripts_dir,
                 const std::string& formats) {
  const auto renderers = parse_formats(formats);
  const std::string prefix = report_prefix(prefix_in);
  ReportSchema schema;
  const std::vector<Row> rows = read_report_rows(prefix + ".csv", &schema, "report");
  const ReportMeta meta = read_meta(prefix, "report");
  const auto summary = summarize_run(rows, schema, meta);
  const std::string summary_path = prefix + ".summary.csv";
  if (!fs::exists(summary_path)) write_file_atomically(summary_path, summary_csv(summary, schema));

  const std::string missing = plots_unavailable(scripts_dir);
  ReportPage page = make_report_page(
      fs::path(prefix).filename().string(), summary, meta,
      missing.empty() ? draw_plots(prefix, scripts_dir) : std::vector<ReportPlot>{});
  page.plots_missing = missing;
  std::vector<std::string> written;
  for (const ReportRenderer* r : renderers) {
    const std::string path = fmt::format("{}.report.{}", prefix, r->extension());
    write_file_atomically(path, r->render(page));
    written.push_back(path);
  }
  fmt::print("report: {}; {} plot(s)\n", fmt::join(written, ", "), page.plots.size());
  if (!missing.empty()) {
    fmt::print(stderr, "parbench: report: no plot could be drawn: {}; the report says so\n",
               missing);
    return 1;
  }
  return 0;
}

Command add_report(CLI::App& app) {
  struct State {
    std::string prefix, scripts = scripts_dir(), formats = "html,md";
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "report",
      "Write a run's report: one self-contained HTML page and markdown (and, with --format, text "
      "or JSON)");
  cmd->add_option("run", s->prefix,
                  "The run's PREFIX (or PREFIX.csv) as given to 'parbench run --out'")
      ->required();
  cmd->add_option("--scripts", s->scripts,
                  "Directory of the plot scripts (default: the source tree's scripts/)");
  cmd->add_option("--format", s->formats,
                  "Formats to write, comma-separated: html (one self-contained page), md, txt, "
                  "json (default: html,md)");
  return [s] { return write_report(s->prefix, s->scripts, s->formats); };
}

}  // namespace parbench::cli
