#include "run_session.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>

#include "backend.hpp"
#include "bad_input.hpp"
#include "busy_work.hpp"
#include "channels/channel.hpp"
#include "claims.hpp"
#include "console_table.hpp"
#include "counters.hpp"
#include "csv_writer.hpp"
#include "export.hpp"
#include "interrupt.hpp"
#include "ipc_comparison.hpp"
#include "limits.hpp"
#include "machine.hpp"
#include "own_code.hpp"
#include "print_quietly.hpp"
#include "python_backend.hpp"
#include "registry.hpp"
#include "report_files.hpp"
#include "report_meta.hpp"
#include "run_files.hpp"
#include "runner.hpp"
#include "scripts_dir.hpp"
#include "stats.hpp"
#include "strays.hpp"
#include "suites.hpp"
#include "summary.hpp"
#include "sync_comparison.hpp"
#include "text_utils.hpp"
#include "topology.hpp"
#include "unique_list.hpp"
#include "workload_roles.hpp"

namespace parbench {
namespace {

constexpr std::int64_t kMaxReps = 1'000'000;

// A count option in the forms integers take everywhere (1000, 1e3, 4Ki).
int parse_count(const std::string& text, std::string_view option, std::int64_t min,
                std::int64_t max) {
  std::int64_t v = 0;
  if (!parse_integer(text, v) || v < min || v > max) {
    throw BadInput(
        fmt::format("{}: '{}' is not allowed; expected an integer from {} to {} "
                    "(forms: 10, 1e3)",
                    option, text, min, max));
  }
  return static_cast<int>(v);
}

RunRequest to_request(const RunSettings& o) {
  RunRequest r = select_cases(o.targets, o.backends, o.workers, o.params);
  r.pins = split_list(o.pins, "--pin");
  if (o.reps_given) r.reps = parse_count(o.reps, "--reps", 1, kMaxReps);
  r.warmup = parse_count(o.warmup, "--warmup", 0, kMaxReps);
  r.timeout_s = o.timeout_s;
  r.filter = o.filter;
  return r;
}

nlohmann::json describe_schema(const RunPlan& plan) {
  nlohmann::json metrics = nlohmann::json::object(), units = nlohmann::json::object();
  nlohmann::json unchecked = nlohmann::json::array();
  for (const auto& g : plan.groups) {
    const std::string name(g.workload->name());
    units[name] = g.workload->work_unit();
    if (!g.workload->checks_result() &&
        std::find(unchecked.begin(), unchecked.end(), name) == unchecked.end())
      unchecked.push_back(name);
    for (const auto& m : g.workload->metrics()) {
      metrics[m.name] = {{"help", m.help},
                         {"better", m.better == MetricSpec::Better::Lower ? "lower" : "higher"}};
    }
  }
  nlohmann::json schema = {
      {"params", plan.schema.params}, {"metrics", metrics}, {"work_units", units}};
  // Workloads that declare no check of their result (a user's short form without one).
  if (!unchecked.empty()) schema["unchecked"] = unchecked;
  // Which limit and comparison table each workload's cases belong to, in the run's order.
  WorkloadRoles roles;
  for (const auto& g : plan.groups)
    roles.add(std::string(g.workload->name()), g.workload->report_role());
  schema["roles"] = roles.to_json();
  // Channels no probe of this machine bounds (of_limit.cpp gives their cases no limit).
  schema["channels_across_hosts"] = channels_across_hosts();
  return schema;
}

// "00:41", "1:02:05"
std::string clock_text(double seconds) {
  const auto s = static_cast<long>(std::max(0.0, seconds));
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{:02}:{:02}", s / 60, s % 60);
}

// "00:41 elapsed, ~02:10 left": the time left from the pace of the repetitions done so far.
std::string eta_text(const Progress& p, double elapsed) {
  if (p.done == 0 || p.done >= p.total) return fmt::format("{} elapsed", clock_text(elapsed));
  const double left = elapsed / static_cast<double>(p.done) * static_cast<double>(p.total - p.done);
  return fmt::format("{} elapsed, ~{} left", clock_text(elapsed), clock_text(left));
}

// Progress: on a terminal one live line (cases done, the repetition running, elapsed, time left);
// otherwise (CI, a pipe) one line per finished case with its median, cv and status. Nothing with
// --quiet.
ProgressFn make_progress(bool quiet, bool terminal) {
  if (quiet) return {};
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (terminal) {
    return [elapsed](const Progress& p) {
      if (p.finished != nullptr) return;
      fmt::print(stderr, "\r\033[K[case {}/{}] {} {}, {}", p.cases_done + 1, p.cases_total,
                 case_name(*p.group, *p.current),
                 p.rep <= 0 ? std::string("warm-up") : fmt::format("rep {}", p.rep),
                 eta_text(p, elapsed()));
    };
  }
  return [elapsed](const Progress& p) {
    if (p.finished == nullptr) return;
    std::string figures;
    if (const auto s = summarize(p.finished_wall_ns)) {
      figures = fmt::format("median {}", format_duration(s->median));
      if (s->n >= 3) figures += fmt::format(", cv {:.1f}%", s->cv * 100);
      figures += ", ";
    }
    fmt::print(stderr, "[{}/{}] {}: {}{}; {}\n", p.cases_done, p.cases_total,
               case_name(*p.group, *p.finished), figures, p.finished_status,
               eta_text(p, elapsed()));
  };
}

NoiseRule noise_rule_of(const RunPlan& plan) {
  NoiseRule noise;
  noise.cpus = static_cast<int>(allowed_cpus().size());
  noise.serialized_backends.clear();
  for (const auto& g : plan.groups) {
    if (g.workload->cpu_bound()) add_unique(noise.cpu_bound, std::string(g.workload->name()));
    if (g.workload->memory_bound()) add_unique(noise.memory_bound, std::string(g.workload->name()));
    for (const auto& c : g.cases) {
      if (c.backend->traits().serializes_computation)
        add_unique(noise.serialized_backends, std::string(c.backend->name()));
    }
  }
  return noise;
}

// The batch scheduler's job this run is part of (Slurm's environment), and how its ranks were
// launched: null outside a job. The host of every rank is run.mpi.hosts.
nlohmann::json scheduler_context() {
  auto env = [](const char* name) -> nlohmann::json {
    const char* v = std::getenv(name);
    return v != nullptr ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  nlohmann::json out;
  if (std::getenv("SLURM_JOB_ID") != nullptr) {
    out = {{"scheduler", "slurm"},
           {"job_id", env("SLURM_JOB_ID")},
           {"job_name", env("SLURM_JOB_NAME")},
           {"partition", env("SLURM_JOB_PARTITION")},
           {"node_list", env("SLURM_JOB_NODELIST")},
           {"nodes", env("SLURM_JOB_NUM_NODES")},
           {"tasks", env("SLURM_NTASKS")},
           {"tasks_per_node", env("SLURM_TASKS_PER_NODE")},
           {"cpus_per_task", env("SLURM_CPUS_PER_TASK")},
           {"step_id", env("SLURM_STEP_ID")},
           {"submit_host", env("SLURM_SUBMIT_HOST")}};
  }
  // The launcher: srun sets SLURM_STEP_ID in every task it starts (with PMIx: PMIX_RANK); Open
  // MPI's mpirun sets OMPI_COMM_WORLD_SIZE (and its own PMIx server's PMIX_RANK).
  const bool srun =
      std::getenv("SLURM_STEP_ID") != nullptr && std::getenv("SLURM_PROCID") != nullptr;
  const bool mpirun = std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr;
  std::string launcher;
  if (srun && std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr) {
    launcher = std::getenv("PMIX_RANK") != nullptr ? "srun + PMIx" : "srun";
  } else if (mpirun) {
    launcher = "mpirun";
  }
  if (!launcher.empty()) {
    if (out.is_null()) out = nlohmann::json::object();
    out["launcher"] = launcher;
  }
  return out;
}

// --context KEY=VALUE, each key once.
nlohmann::json context_of(const std::vector<std::string>& items) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw BadInput(fmt::format("--context: '{}' is not KEY=VALUE", item));
    }
    const std::string key = item.substr(0, eq);
    if (out.contains(key)) throw BadInput(fmt::format("--context: '{}' is given twice", key));
    out[key] = item.substr(eq + 1);
  }
  return out;
}

ReportMeta start_meta(const RunSettings& o, const RunPlan& plan, const BackendSessions& sessions) {
  ReportMeta meta;
  meta.machine = describe_machine();
  // The yardsticks of the summary's of_limit column: cached for this machine and boot.
  if (!o.no_limits) {
    meta.machine["limits"] = cached_limits(o.refresh_limits, [&] {
                               if (!o.quiet) {
                                 print_quietly(stderr,
                                               "parbench: measuring what this machine allows "
                                               "(parbench limits; once per boot, about 10 s)\n");
                               }
                             }).to_json();
  }
  meta.schema = describe_schema(plan);
  RunMeta run;
  run.command = o.command_line;
  run.targets = o.targets;
  run.reps = plan.reps;
  run.warmup = plan.warmup;
  run.timeout_s = o.timeout_s;
  run.cases = plan.case_count();
  run.noise_rule = noise_rule_of(plan);
  run.profile = o.profile;
  run.context = context_of(o.context);
  run.job = scheduler_context();
  run.python = interpreters_of(plan);
  // Measured here, before any worker starts, so every worker uses this figure (busy_work.hpp).
  run.calibration = {
      {"busy_ns_per_iteration", busy_ns_per_iteration()},
      {"busy_loop", "dependent 64-bit multiply-add chain, fastest of 5 ~10 ms runs"},
      {"wide_ns_per_iteration", wide_ns_per_iteration()},
      {"wide_loop",
       "eight independent 64-bit integer chains (the machine probe's throughput half)"}};
  sessions.describe(run);
  meta.run = std::move(run);
  return meta;
}

// A suite that judges claims (the multiprocessing suite) ends with its claims table, written to
// PREFIX.multiprocessing.md; returns it as text.
std::string claims_table(const Suite& suite, const std::vector<SummaryRow>& summary, int cpus,
                         const std::string& prefix, const MachineLimits& limits) {
  std::vector<std::string> columns;  // the suite's backends, in the order it names them
  for (const auto& entry : suite.entries) {
    for (const auto& b : entry.backends) add_unique(columns, b);
  }
  const auto verdicts = judge_claims(summary, cpus, columns, limits);
  const std::string file = fmt::format("{}.{}.md", prefix, suite.name);
  write_file_atomically(file, format_claims_markdown(verdicts));
  return format_claims_text(verdicts) + fmt::format("claims:   {}\n", file);
}

// A row could not be written: the summary and meta.json may still fit, each whole or as it was.
int report_write_failure(RunFiles& files, const std::string& why) {
  try {
    files.finish("the report could not be written: " + why, 0);
  } catch (const ReportWriteError& e) {
    print_quietly(stderr, fmt::format("parbench: {}\n", e.what()));
  }
  print_quietly(stderr, fmt::format("parbench: cannot write the report: {}; the {} rows written "
                                    "before are whole in {}.csv\n",
                                    why, files.rows().rows().size(), files.prefix()));
  return 3;
}

// --dry-run: every case by name, how many, and the least time their fixed-length parameters
// (duration_ms, ms) take; nothing is written or run.
int print_plan(const RunPlan& plan) {
  const auto rounds = static_cast<double>(plan.reps + plan.warmup);
  double fixed_s = 0;
  std::size_t open_ended = 0;
  for (const auto& g : plan.groups) {
    throw_if_interrupted();
    for (const auto& c : g.cases) {
      fmt::print("{}{}\n", case_name(g, c), c.unsupported.empty() ? "" : "  (unsupported here)");
      const auto& params = g.params.all();
      const auto ms = params.find("duration_ms") != params.end() ? params.find("duration_ms")
                                                                 : params.find("ms");
      if (ms != params.end()) {
        fixed_s += rounds * static_cast<double>(std::stoll(ms->second)) / 1000;
      } else {
        ++open_ended;
      }
    }
  }
  fmt::print(
      "{} case(s) x {} repetitions ({} measured + {} warm-up) = {} repetitions; at least {:.0f} s "
      "for the {} case(s) of fixed length{}\n",
      plan.case_count(), plan.reps + plan.warmup, plan.reps, plan.warmup,
      plan.case_count() * static_cast<std::size_t>(plan.reps + plan.warmup), fixed_s,
      plan.case_count() - open_ended,
      open_ended > 0
          ? fmt::format("; the other {} run as long as their work takes here", open_ended)
          : "");
  return 0;
}

enum class Stop { None, Interrupted, JobLost, WriteFailed };

// How executing the plan ended: every case ok, and what stopped it early, with why (a lost part
// of the job, such as an MPI rank; a report that could not be written).
struct Outcome {
  bool all_ok = false;
  Stop stop = Stop::None;
  std::string why;
};

Outcome execute(const RunPlan& plan, RunFiles& files, const BackendSessions& sessions,
                const RunSettings& o, bool tty) {
  Outcome out;
  sessions.on_job_end([&](const std::string& w) { files.finish(w, 0); });
  try {
    out.all_ok = execute_plan(plan, files.rows(), make_progress(o.quiet, tty), &files.timeline());
  } catch (const Interrupted&) {
    out.stop = Stop::Interrupted;
  } catch (const JobLost& e) {
    out.stop = Stop::JobLost;
    out.why = e.what();
  } catch (const ReportWriteError& e) {
    out.stop = Stop::WriteFailed;
    out.why = e.what();
  }
  sessions.on_job_end(nullptr);
  return out;
}

// What the run prints at its end: the tables (unless --quiet), the claims of suites that judge
// them, and where the files are.
std::string closing_text(const RunSettings& o, const ReportMeta& meta,
                         const std::vector<SummaryRow>& summary, const std::string& prefix,
                         const std::string& meta_path) {
  std::string text;
  if (!o.quiet) {
    const WorkloadRoles roles = WorkloadRoles::from_schema(meta.schema);
    text += format_summary_table(summary) + format_ipc_comparison(summary, roles) +
            format_sync_comparison(summary, roles) + format_own_code(summary, meta);
  }
  for (const auto& typed : o.targets) {
    for (const auto& target : split_list(typed, "workload or suite")) {
      const Suite* suite = find_suite(target);
      if (suite == nullptr || !suite->judges_claims) continue;
      text += claims_table(*suite, summary, meta.run->noise_rule.cpus, prefix,
                           meta.machine.contains("limits")
                               ? MachineLimits::from_json(meta.machine["limits"])
                               : MachineLimits{});
    }
  }
  text += fmt::format(
      "\nrows:     {}.csv\nsummary:  {}.summary.csv\ntimeline: {}.timeline.csv\nmachine:  {}\n{}",
      prefix, prefix, prefix, meta_path,
      o.json ? fmt::format("json:     {}.json\n", prefix) : std::string());
  return text;
}

}  // namespace

int run_session(const RunSettings& settings, const ReportWriter& write_report) {
  const RunSettings& o = settings;
  // From the start: a signal while the plan is made or the machine described ends the run with
  // exit 130 before any file is written; once the files exist they are finished as they stand.
  install_interrupt_handlers();
  set_profiling(o.profile);
  const BackendSessions sessions(o.backends);
  const RunPlan plan = make_plan(to_request(o));  // every BadInput is thrown before any write
  context_of(o.context);  // a malformed --context is bad input before anything is written
  if (o.dry_run) return print_plan(plan);
  if (sessions.follower()) {
    sessions.follow(plan);
    return 0;
  }
  const std::string prefix = o.out_given ? o.out
                                         : fmt::format("reports/results/{}-{}", o.targets.front(),
                                                       local_timestamp("%Y%m%d-%H%M%S"));
  prepare_output_prefix(prefix, "--out");
  remove_strays();  // what runs SIGKILLed before this one left behind (strays.hpp)
  const ReportMeta meta = start_meta(o, plan, sessions);
  RunFiles files(prefix, meta, plan.schema);

  const bool tty = isatty(STDERR_FILENO) != 0 && !o.quiet;
  const Outcome outcome = execute(plan, files, sessions, o, tty);
  const Stop stop = outcome.stop;
  if (tty) print_quietly(stderr, "\r\033[K");
  if (stop == Stop::WriteFailed) return report_write_failure(files, outcome.why);

  const auto summary =
      files.finish(outcome.why, stop == Stop::Interrupted ? interrupt_signal() : 0);
  if (o.json) write_file_atomically(prefix + ".json", export_report(prefix, "json"));
  if (stop == Stop::JobLost) {
    print_quietly(stderr, fmt::format("parbench: {}; the rows finished so far are in {}.csv\n",
                                      outcome.why, prefix));
    sessions.end_lost_job();
  }
  // After a hang-up the terminal is gone: what cannot be printed is lost, the files are not.
  print_quietly(stdout, closing_text(o, meta, summary, prefix, files.meta_path()));
  // The report of what ran, even after an interruption: it reads the files just written.
  const int report_status = o.report ? write_report(prefix) : 0;
  if (stop == Stop::Interrupted) {
    print_quietly(stderr, fmt::format("parbench: interrupted by {}; the rows finished so far are "
                                      "kept, with the summary and meta.json\n",
                                      signal_name(interrupt_signal())));
    return 130;
  }
  if (!outcome.all_ok) {
    print_quietly(stderr, "parbench: some cases failed; see the status and error columns\n");
    return 1;
  }
  return report_status;
}

}  // namespace parbench
