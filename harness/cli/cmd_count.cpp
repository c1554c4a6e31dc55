// parbench count: the deterministic mode. Every repetition of every case runs once under
// valgrind's callgrind with collection switched on only inside the workloads' work() (the timed
// region), and the instructions executed there are the measurement: the same code and parameters
// give the same count on any machine, busy or idle, so a change of 1% shows. The rows report has
// the usual columns (timings are valgrind's, and meaningless) plus a `callgrind_ir` metric;
// `parbench compare` gates on it. (Not the `instructions` column, which is the CPU's own counter
// over the whole timed region, kernel included, and empty here: valgrind has no perf_event_open.)
//
// Counting instructions says nothing about waiting (locks, IPC, sleeps) and little about memory
// stalls: it is for CPU-bound code paths. Under callgrind the threads of a process run one at a
// time, so contention itself is not reproduced either.
#include <fmt/core.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "bad_input.hpp"
#include "commands.hpp"
#include "csv_reader.hpp"
#include "interrupt.hpp"
#include "plan.hpp"
#include "report_files.hpp"
#include "rows_csv.hpp"
#include "strays.hpp"
#include "subprocess.hpp"
#include "sys_error.hpp"

namespace parbench::cli {
namespace {

namespace fs = std::filesystem;

struct CountOptions {
  std::vector<std::string> targets, params;
  std::string backends, workers, out;
  int reps = 3;
};

// Sum of the Ir (instructions executed) totals of every callgrind output file in dir.
double instructions_in(const fs::path& dir) {
  double total = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("cg.", 0) != 0) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("totals:", 0) == 0 || line.rfind("summary:", 0) == 0) {
        std::istringstream fields(line.substr(line.find(':') + 1));
        double ir = 0;
        fields >> ir;
        total += ir;
        break;
      }
    }
  }
  return total;
}

std::string self_exe() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the parbench binary through /proc/self/exe");
  return p.string();
}

// The `parbench run` of one repetition of one case, under callgrind, counting inside work().
std::vector<std::string> callgrind_argv(const std::string& exe, const CaseGroup& g, const Case& c,
                                        const fs::path& dir) {
  std::vector<std::string> argv = {
      "valgrind", "--tool=callgrind", "--collect-atstart=no",
      "--toggle-collect=*Experiment::work(*", "--callgrind-out-file=" + (dir / "cg.%p").string(),
      exe, "run", std::string(g.workload->name()), "--backend", std::string(c.backend->name()),
      "--workers", std::to_string(c.workers), "--pin", c.pin.name(), "--reps", "1", "--warmup", "0",
      "--timeout", "3600", "--quiet",
      // Limits measured under valgrind would be meaningless and slow.
      "--no-limits", "--out", (dir / "r").string()};
  for (const auto& [name, value] : g.params.all())
    argv.insert(argv.end(), {"--param", fmt::format("{}={}", name, value)});
  return argv;
}

// One repetition counted: its row with callgrind_ir, or an error row saying why there is none.
Row count_one(const std::string& exe, const CaseGroup& g, const Case& c, int rep) {
  std::string pattern = fs::temp_directory_path() / (stray_name_prefix() + "count.XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) throw_sys("mkdtemp");
  const fs::path dir = pattern;
  const int status = run_and_wait(callgrind_argv(exe, g, c, dir), (dir / "log").string());
  std::vector<Row> rows;
  std::string unreadable = "no report";  // why the run under valgrind gave no row
  try {
    rows = read_rows((dir / "r.csv").string());
  } catch (const CsvError& e) {
    unreadable = e.what();
  }
  Row row;
  if (rows.size() == 1) {
    row = rows.front();
    if (row.ok()) row.metrics.emplace_back("callgrind_ir", instructions_in(dir));
  } else {
    row.workload = g.workload->name();
    row.backend = c.backend->name();
    row.workers = c.workers;
    row.pin = c.pin.name();
    for (const auto& p : g.params.all()) row.params.emplace_back(p);
    row.status = "error";
    row.error = fmt::format("valgrind run exited with status {}: {}", status, unreadable);
  }
  row.rep = rep;
  std::error_code ec;
  fs::remove_all(dir, ec);
  return row;
}

int count(const CountOptions& o) {
  const RunRequest req = select_cases(o.targets, o.backends, o.workers, o.params);
  if (o.reps < 1 || o.reps > 1000)
    throw BadInput(fmt::format("--reps: {} is out of range; expected 1 to 1000", o.reps));
  const RunPlan plan = make_plan(req);
  if (run_and_wait({"valgrind", "--version"}, "/dev/null") != 0) {
    throw BadInput(
        "count needs valgrind: apt-get install valgrind (scripts/setup.sh --test installs it)");
  }
  const std::string prefix = o.out.empty() ? "reports/results/count-" + o.targets.front() : o.out;
  prepare_output_prefix(prefix, "--out");

  ReportSchema schema = plan.schema;
  schema.metrics.emplace_back("callgrind_ir");
  RowsCsvSink sink(prefix + ".csv", schema);
  install_interrupt_handlers();
  const std::string exe = self_exe();
  bool all_ok = true;
  std::size_t done = 0;
  const std::size_t total = plan.case_count() * static_cast<std::size_t>(o.reps);
  for (const CaseGroup& g : plan.groups) {
    for (const Case& c : g.cases) {
      for (int rep = 1; rep <= o.reps; ++rep) {
        if (interrupt_requested()) {
          fmt::print(stderr, "parbench: interrupted; the rows finished so far are in {}.csv\n",
                     prefix);
          return 130;
        }
        fmt::print(stderr, "[{}/{}] {} {} workers={} rep {}\n", ++done, total, g.workload->name(),
                   c.backend->name(), c.workers, rep);
        const Row row = count_one(exe, g, c, rep);
        if (!row.ok() && !row.unsupported()) all_ok = false;
        sink.write(row);
      }
    }
  }
  fmt::print(
      "rows: {}.csv (metric: callgrind_ir, instructions counted by callgrind inside work())\n",
      prefix);
  return all_ok ? 0 : 1;
}

}  // namespace

Command add_count(CLI::App& app) {
  auto o = std::make_shared<CountOptions>();
  auto* cmd = app.add_subcommand("count",
                                 "Deterministic mode: instructions executed inside the workloads' "
                                 "work(), counted by valgrind's callgrind");
  cmd->add_option("targets", o->targets, "Workloads or suites (CPU-bound ones: cpu_sum, mem_sum)")
      ->required();
  cmd->add_option("--backend", o->backends, "Backends, comma-separated (default: all)");
  cmd->add_option("--workers", o->workers,
                  "Worker counts, comma-separated (default: per workload)");
  cmd->add_option("--param", o->params, "NAME=V1,V2,... (repeatable)")->allow_extra_args(false);
  cmd->add_option("--reps", o->reps, "Runs per case (default 3; the count repeats exactly)");
  cmd->add_option("--out", o->out, "Output prefix: writes PREFIX.csv");
  return [o] { return count(*o); };
}

}  // namespace parbench::cli
