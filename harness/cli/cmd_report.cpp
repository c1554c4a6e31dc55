// parbench report PREFIX: one self-contained HTML page for a run (PREFIX.report.html: the machine,
// the command, every case's summary, the comparison tables, and the plots that apply, embedded as
// data: URIs), and the same as markdown (PREFIX.report.md, next to the plots' PNG files).
// The plots come from the scripts/plot_*.py that have something to draw in this run.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bad_input.hpp"
#include "build_info.hpp"
#include "commands.hpp"
#include "console_table.hpp"
#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "ipc_comparison.hpp"
#include "machine.hpp"
#include "report_files.hpp"
#include "rows_csv.hpp"
#include "subprocess.hpp"
#include "summary.hpp"
#include "sync_comparison.hpp"
#include "sys_error.hpp"

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
    {"plot_ipc_latency.py", "IPC round-trip latency against message size", ".summary.csv", {}},
    {"plot_ipc_throughput.py", "IPC throughput against message size", ".summary.csv", {}},
    {"plot_lock_throughput.py", "Lock throughput against workers", ".summary.csv", {}},
    {"plot_lock_fairness.py", "Lock fairness against workers", ".summary.csv", {}},
    {"plot_timeline.py",
     "When each worker ran: 2-worker cases, first repetition",
     ".timeline.csv",
     {"--workers", "2", "--max-panels", "6"}},
};

std::string base64(const std::string& data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

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

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

Table summary_table(const std::vector<SummaryRow>& summary) {
  Table t{{"workload", "backend", "workers", "parameters", "reps", "median wall", "cv", "work/s",
           "speedup", "status"},
          {}};
  // A merged report or an mpi run across machines: the host leads the parameters.
  const bool multi_host = std::any_of(summary.begin(), summary.end(), [&](const SummaryRow& s) {
    return s.host != summary.front().host;
  });
  for (const auto& s : summary) {
    std::string params;
    for (const auto& [k, v] : s.params)
      params += fmt::format("{}{}={}", params.empty() ? "" : " ", k, v);
    const auto& w = s.wall_ns;
    if (multi_host) params = fmt::format("host={}{}{}", s.host, params.empty() ? "" : " ", params);
    t.rows.push_back({s.workload, s.backend, std::to_string(s.workers), params,
                      std::to_string(s.reps), w ? format_duration(w->median) : "",
                      w ? fmt::format("{:.1f}%", w->cv * 100) : "",
                      s.work_per_s ? fmt::format("{:.4g}", *s.work_per_s) : "",
                      s.speedup ? fmt::format("{:.2f}x", *s.speedup) : "",
                      s.status() != "ok" ? s.status() + ": " + s.error
                      : s.noisy.empty()  ? "ok"
                                         : "ok, noisy: " + s.noisy});
  }
  return t;
}

int report(const std::string& prefix_in, const std::string& scripts_dir) {
  const std::string prefix = report_prefix(prefix_in);
  ReportSchema schema;
  std::vector<Row> rows;
  try {
    rows = read_rows(prefix + ".csv", &schema);
  } catch (const CsvError& e) {
    throw BadInput(fmt::format("report: {}", e.what()));
  }
  const nlohmann::json meta = read_report_meta(prefix, "report");
  const auto summary = summarize_rows(rows, schema, noise_rule_from_meta(meta));
  const std::string summary_path = prefix + ".summary.csv";
  if (!fs::exists(summary_path)) write_file_atomically(summary_path, summary_csv(summary, schema));

  struct Drawn {
    std::string title, png;
  };
  std::vector<Drawn> drawn;
  for (const auto& p : kPlots) {
    const std::string out = fmt::format("{}.report.{}", prefix, fs::path(p.script).stem().string());
    if (draw(fs::path(scripts_dir) / p.script, prefix + p.input, p.args, out))
      drawn.push_back({p.title, out + ".png"});
  }
  const std::string comparisons = format_ipc_comparison(summary) + format_sync_comparison(summary);
  const Table table = summary_table(summary);
  const std::string command = meta.contains("run") ? meta["run"].value("command", "") : "";
  std::string machine = meta.contains("machine") ? format_machine(meta["machine"]) : "";
  if (meta.contains("machines") && meta["machines"].is_array()) {  // written by parbench merge
    for (const auto& m : meta["machines"]) {
      machine += fmt::format("== {} (from {})\n", m.value("host", ""), m.value("source", ""));
      if (m.contains("machine") && m["machine"].is_object())
        machine += format_machine(m["machine"]);
      machine += "\n";
    }
  }
  std::size_t ok = 0, failed = 0, unsupported = 0;
  for (const auto& s : summary) (s.unsupported ? unsupported : s.ok() ? ok : failed) += 1;
  const std::string counts =
      fmt::format("{} cases: {} ok, {} failed, {} unsupported on this machine", summary.size(), ok,
                  failed, unsupported);

  // HTML
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += fmt::format("<title>parbench report: {}</title>\n",
                   html_escape(fs::path(prefix).filename().string()));
  h += R"(<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
th{background:#eee}pre{background:#f6f6f6;padding:8px;overflow-x:auto}img{max-width:100%;border:1px solid #ddd}
.error{color:#b00}
</style>
</head>
<body>
)";
  h += fmt::format("<h1>parbench report: {}</h1>\n<p>{}</p>\n",
                   html_escape(fs::path(prefix).filename().string()), html_escape(counts));
  if (!command.empty()) h += fmt::format("<p>Command: <code>{}</code></p>\n", html_escape(command));
  if (!machine.empty()) h += fmt::format("<h2>Machine</h2>\n<pre>{}</pre>\n", html_escape(machine));
  h += "<h2>Cases</h2>\n<table>\n<tr>";
  for (const auto& c : table.header) h += "<th>" + html_escape(c) + "</th>";
  h += "</tr>\n";
  for (const auto& r : table.rows) {
    h += r.back().starts_with("ok") ? "<tr>" : "<tr class=\"error\">";
    for (const auto& c : r) h += "<td>" + html_escape(c) + "</td>";
    h += "</tr>\n";
  }
  h += "</table>\n";
  if (!comparisons.empty())
    h += "<h2>Comparisons</h2>\n<pre>" + html_escape(comparisons) + "</pre>\n";
  if (!drawn.empty()) h += "<h2>Plots</h2>\n";
  for (const auto& d : drawn) {
    h += fmt::format(
        "<h3>{}</h3>\n<img class=\"plot\" alt=\"{}\" src=\"data:image/png;base64,{}\">\n",
        html_escape(d.title), html_escape(d.title), base64(slurp(d.png)));
  }
  // Marks the page once every plot has decoded, so a headless browser (the tests) can tell that
  // the page loaded and showed them; errors on the page are recorded the same way.
  h += R"(<script>
window.addEventListener("error", function (e) { document.body.dataset.errors = (document.body.dataset.errors || "") + e.message + ";"; });
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll("img.plot"));
  document.body.dataset.plotsShown = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length + "/" + imgs.length;
});
</script>
</body>
</html>
)";
  write_file_atomically(prefix + ".report.html", h);

  // Markdown
  std::string md =
      fmt::format("# parbench report: {}\n\n{}\n\n", fs::path(prefix).filename().string(), counts);
  if (!command.empty()) md += fmt::format("Command: `{}`\n\n", command);
  if (!machine.empty()) md += "## Machine\n\n```\n" + machine + "\n```\n\n";
  md += "## Cases\n\n|";
  for (const auto& c : table.header) md += " " + c + " |";
  md += "\n|";
  for (std::size_t i = 0; i < table.header.size(); ++i) md += " --- |";
  md += "\n";
  for (const auto& r : table.rows) {
    md += "|";
    for (const auto& c : r) {
      std::string cell;
      for (char ch : c) cell += ch == '|' ? std::string("\\|") : std::string(1, ch);
      md += " " + cell + " |";
    }
    md += "\n";
  }
  if (!comparisons.empty()) md += "\n## Comparisons\n\n```" + comparisons + "```\n";
  if (!drawn.empty()) md += "\n## Plots\n";
  for (const auto& d : drawn)
    md += fmt::format("\n### {}\n\n![{}]({})\n", d.title, d.title,
                      fs::path(d.png).filename().string());
  write_file_atomically(prefix + ".report.md", md);

  fmt::print("report: {0}.report.html (self-contained), {0}.report.md; {1} plot(s)\n", prefix,
             drawn.size());
  return 0;
}

}  // namespace

Command add_report(CLI::App& app) {
  struct State {
    std::string prefix, scripts = build_info::scripts_dir;
  };
  auto s = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "report", "Write a run's report as one self-contained HTML page and as markdown");
  cmd->add_option("run", s->prefix,
                  "The run's PREFIX (or PREFIX.csv) as given to 'parbench run --out'")
      ->required();
  cmd->add_option("--scripts", s->scripts,
                  "Directory of the plot scripts (default: the source tree's scripts/)");
  return [s] { return report(s->prefix, s->scripts); };
}

}  // namespace parbench::cli
