// parbench run: its options, parsed into RunSettings; run_session (run/run_session.hpp) does the
// rest: expand the matrix, run it, and write PREFIX.csv (rows, streamed), PREFIX.summary.csv,
// PREFIX.timeline.csv and PREFIX.meta.json, and print the summary table.
#include <fmt/core.h>

#include <memory>

#include "bad_input.hpp"
#include "commands.hpp"
#include "run_session.hpp"
#include "scripts_dir.hpp"

namespace parbench::cli {

namespace {

// The options whose value, when given, must not be empty (an unset shell variable).
struct Given {
  CLI::Option* backend = nullptr;
  CLI::Option* workers = nullptr;
  CLI::Option* pin = nullptr;
  CLI::Option* reps = nullptr;
  CLI::Option* warmup = nullptr;
  CLI::Option* out = nullptr;
};

// What runs: the targets and the matrix of their cases.
void add_case_options(CLI::App* cmd, RunSettings& o, Given& given) {
  cmd->add_option("targets", o.targets,
                  "Workloads or suites to run, by spaces or commas (see 'parbench list')")
      ->required();
  given.backend =
      cmd->add_option("-b,--backend", o.backends, "Backends, comma-separated (default: all)");
  given.workers = cmd->add_option(
      "-w,--workers", o.workers,
      "Worker counts, comma-separated, ranges allowed: 1,2,4 or 1-8 or 1-16:x2 (default: per "
      "workload)");
  cmd->add_option("-p,--param", o.params,
                  "NAME=V1,V2,... or a range NAME=8-1Mi:x8 (one per name); sweeps a workload "
                  "parameter")
      ->allow_extra_args(false);
  cmd->add_option("--filter", o.filter,
                  "Only the cases whose name matches this extended regular expression (names as "
                  "--dry-run prints them: 'cpu_sum thread w=2 pin=none n=...')");
}

// What a run keeps beside its rows, or that it only shows what it would run.
void add_record_options(CLI::App* cmd, RunSettings& o) {
  cmd->add_option("--context", o.context,
                  "KEY=VALUE kept in meta.json and shown in the report header (repeatable): a "
                  "ticket, the machine's role, what was changed")
      ->allow_extra_args(false);
  cmd->add_flag(
      "--json", o.json,
      "Also write PREFIX.json: meta, rows and summary in one document (reports/README.md)");
  cmd->add_flag("--report", o.report,
                "At the end, also write the report (PREFIX.report.html and .md with plots), as "
                "'parbench report PREFIX' does");
  cmd->add_flag("--dry-run", o.dry_run,
                "Print every case and their count, write nothing and run nothing");
}

// How often each case runs, where its workers run, how long one repetition may take.
void add_repetition_options(CLI::App* cmd, RunSettings& o, Given& given) {
  given.reps = cmd->add_option(
      "-r,--reps", o.reps, "Measured repetitions per case (default 10; a suite may choose fewer)");
  given.warmup =
      cmd->add_option("--warmup", o.warmup, "Discarded warm-up repetitions per case (default 1)");
  given.pin = cmd->add_option(
      "--pin", o.pins,
      "Pinning policies, comma-separated: none, compact, spread, same-cpu, same-core, "
      "cross-core, cross-numa, or CPUs like 0+1");
  cmd->add_option("--timeout", o.timeout_s,
                  "Seconds one repetition may take before its workers are killed (default 120)");
}

// Where the files go, what is printed, and the machine's limits and counters.
void add_output_options(CLI::App* cmd, RunSettings& o, Given& given) {
  given.out =
      cmd->add_option("-o,--out", o.out,
                      "Output prefix: writes PREFIX.csv, PREFIX.summary.csv, PREFIX.timeline.csv, "
                      "PREFIX.meta.json");
  cmd->add_flag("-q,--quiet", o.quiet, "Do not print progress or the summary table");
  cmd->add_flag("--profile", o.profile,
                "Count perf events (cpu_migrations, cycles, ...) in every worker; off by default "
                "because a perf counter adds ~300 ns to each context switch it counts");
  auto* refresh = cmd->add_flag("--refresh-limits", o.refresh_limits,
                                "Measure this machine's limits again instead of using the cached "
                                "ones (parbench limits)");
  cmd->add_flag("--no-limits", o.no_limits,
                "Do not measure or attach the machine's limits: no of_limit column")
      ->excludes(refresh);
}

}  // namespace

Command add_run(CLI::App& app, const std::string& command_line) {
  auto o = std::make_shared<RunSettings>();
  o->command_line = command_line;
  auto* cmd = app.add_subcommand("run", "Run workloads or suites and write a CSV report");
  Given given;
  add_case_options(cmd, *o, given);
  add_record_options(cmd, *o);
  add_repetition_options(cmd, *o, given);
  add_output_options(cmd, *o, given);
  return [o, given] {
    // Given but empty ("--workers ''", often an unset shell variable) is not the default.
    for (const CLI::Option* opt :
         {given.reps, given.warmup, given.backend, given.workers, given.pin, given.out}) {
      if (opt->count() > 0 && opt->as<std::string>().empty()) {
        throw BadInput(fmt::format("{}: empty value; give a value or leave the option out ({})",
                                   opt->get_name(), opt->get_description()));
      }
    }
    o->reps_given = given.reps->count() > 0;
    o->out_given = given.out->count() > 0;
    return run_session(*o, [](const std::string& prefix) {
      return write_report(prefix, scripts_dir(), "html,md");
    });
  };
}

}  // namespace parbench::cli
