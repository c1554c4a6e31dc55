#include "runner.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <numeric>

#include "interrupt.hpp"
#include "machine.hpp"
#include "mpi_runner.hpp"
#include "python_backend.hpp"
#include "run_workers.hpp"

namespace parbench {
namespace {

Row base_row(const CaseGroup& g, const Case& c) {
  Row r;
  r.workload = std::string(g.workload->name());
  r.backend = std::string(c.backend->name());
  r.workers = c.workers;
  r.pin = c.pin.name();
  r.cpus = fmt::format("{}", fmt::join(c.cpus, "+"));
  r.host = host_name();
  for (const auto& [name, value] : g.params.all()) r.params.emplace_back(name, value);
  return r;
}

Row error_row(const CaseGroup& g, const Case& c, int rep, const std::string& why) {
  Row r = base_row(g, c);
  r.rep = std::max(rep, 0);
  r.status = "error";
  r.error = rep <= 0 ? "warm-up: " + why : why;
  return r;
}

struct RepOutcome {
  enum class Kind { Ok, Error, Unsupported } kind = Kind::Ok;
  std::string text;
};

void fill_row(Row& row, const RunResult& run) {
  row.wall_ns = run.wall_ns;
  row.cpu_user_ns = run.cpu_user_ns;
  row.cpu_sys_ns = run.cpu_sys_ns;
  row.vol_ctx_switches = run.vol_ctx_switches;
  row.invol_ctx_switches = run.invol_ctx_switches;
  row.minor_faults = run.minor_faults;
  row.major_faults = run.major_faults;
  row.max_rss_kb = run.max_rss_kb;
  row.steal_pct = run.steal_pct;
  row.other_load_pct = run.other_load_pct;
  row.cpu_migrations = run.counters[kCpuMigrations];
  row.cycles = run.counters[kCycles];
  row.instructions = run.counters[kInstructions];
  row.cache_misses = run.counters[kCacheMisses];
  row.branch_misses = run.counters[kBranchMisses];
  row.startup_ns = run.startup_ns;
  row.start_skew_ns = run.start_skew_ns;
}

// One repetition of a case on a Python backend: the workload's Python version, one interpreter.
RepOutcome run_python(const CaseGroup& g, const Case& c, const RunPlan& plan, Row& row,
                      RunResult& run) {
  using K = RepOutcome::Kind;
  PythonRepSpec spec{
      c.backend->python_mode(), g.workload->name(), {}, c.workers, c.cpus, plan.timeout};
  for (const auto& [name, value] : g.params.all()) spec.params.emplace_back(name, value);
  PythonRep rep = run_python_rep(spec);
  if (!rep.unsupported.empty()) return {K::Unsupported, rep.unsupported};
  if (!rep.run.ok()) return {K::Error, rep.run.error};
  run = std::move(rep.run);
  row = base_row(g, c);
  for (auto& [name, value] : rep.metrics) row.metrics.emplace_back(name, value);
  fill_row(row, run);
  row.work_units = rep.work_units;
  return {};
}

// The host column of an mpi row: each worker's host joined by '+', or one name when they agree.
std::string hosts_column(const std::vector<std::string>& hosts) {
  if (std::all_of(hosts.begin(), hosts.end(), [&](const auto& h) { return h == hosts.front(); }))
    return hosts.empty() ? host_name() : hosts.front();
  return fmt::format("{}", fmt::join(hosts, "+"));
}

// One repetition of one case (plan.groups[gi].cases[ci]); on success `row` is filled in.
RepOutcome run_rep(const RunPlan& plan, int gi, int ci, Experiment& exp, Row& row, RunResult& run,
                   const MpiLastWords& last_words) {
  using K = RepOutcome::Kind;
  const CaseGroup& g = plan.groups[static_cast<std::size_t>(gi)];
  const Case& c = g.cases[static_cast<std::size_t>(ci)];
  const RepInfo info{c.workers, c.backend->name()};
  if (!c.unsupported.empty()) return {K::Unsupported, c.unsupported};
  try {
    if (!c.backend->python_mode().empty()) return run_python(g, c, plan, row, run);
    exp.before_rep(info);
    std::vector<std::string> hosts;
    if (c.backend->is_mpi()) {
      run = mpi_run_rep(plan, gi, ci, exp, hosts, last_words);
    } else {
      const RunSpec spec{c.workers, c.cpus, plan.timeout,
                         [&exp](const WorkerContext& ctx) { exp.before_gate(ctx); }};
      run = run_workers(*c.backend, spec, [&exp](const WorkerContext& ctx) { exp.work(ctx); });
    }
    if (!run.ok()) return {K::Error, run.error};
    row = base_row(g, c);
    if (c.backend->is_mpi()) row.host = hosts_column(hosts);
    for (auto& [name, value] : exp.after_rep(info, run)) row.metrics.emplace_back(name, value);
    fill_row(row, run);
    row.work_units = exp.work_units(info);
    if (run.startup_ns < 0) {  // ranks on several hosts: no common clock (mpi_runner.hpp)
      row.startup_ns.reset();
      row.start_skew_ns.reset();
    }
    return {};
  } catch (const Interrupted&) {
    throw;
  } catch (const MpiJobLost&) {
    throw;
  } catch (const Unsupported& e) {
    return {K::Unsupported, e.what()};
  } catch (const VerificationError& e) {
    return {K::Error, fmt::format("wrong result: {}", e.what())};
  } catch (const std::exception& e) {
    return {K::Error, e.what()};
  }
}

}  // namespace

bool execute_plan(const RunPlan& plan, RowSink& sink, const ProgressFn& progress,
                  TimelineSink* timeline) {
  const int rounds = plan.warmup + plan.reps;
  Progress p;
  p.total = plan.case_count() * static_cast<std::size_t>(rounds);
  bool all_ok = true;

  for (std::size_t gi = 0; gi < plan.groups.size(); ++gi) {
    const CaseGroup& g = plan.groups[gi];
    p.group = &g;
    SharedArena arena;
    std::unique_ptr<Experiment> exp;
    try {
      exp = g.workload->prepare(PrepareInfo{g.params, arena, g.max_workers});
    } catch (const std::exception& e) {
      for (const Case& c : g.cases)
        sink.write(error_row(g, c, 1, fmt::format("prepare: {}", e.what())));
      p.done += g.cases.size() * static_cast<std::size_t>(rounds);
      all_ok = false;
      continue;
    }

    std::vector<bool> failed(g.cases.size(), false);
    std::vector<std::size_t> order(g.cases.size());
    std::iota(order.begin(), order.end(), 0);
    for (int round = 0; round < rounds; ++round) {
      const int rep = round - plan.warmup + 1;
      // Alternate the order every round (A B, B A, ...): slow drift of the machine then hits every
      // case alike, and no case always runs right after the same neighbour.
      for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t idx = round % 2 == 0 ? order[k] : order[order.size() - 1 - k];
        const Case& c = g.cases[idx];
        p.current = &c;
        p.rep = rep;
        if (progress) progress(p);
        ++p.done;
        if (interrupt_requested()) throw Interrupted();
        if (failed[idx])
          continue;  // one row per failing or unsupported case, not one per repetition
        Row row;
        RunResult run;
        RepOutcome outcome;
        const MpiLastWords last_words = [&](const std::string& why) {
          sink.write(error_row(g, c, rep, why));
        };
        try {
          outcome = run_rep(plan, static_cast<int>(gi), static_cast<int>(idx), *exp, row, run,
                            last_words);
        } catch (const MpiJobLost& e) {
          sink.write(error_row(g, c, rep, e.what()));
          throw;
        }
        if (outcome.kind == RepOutcome::Kind::Unsupported) {
          failed[idx] = true;
          Row r = base_row(g, c);
          r.status = "unsupported";
          r.error = outcome.text;
          sink.write(r);
        } else if (outcome.kind == RepOutcome::Kind::Error) {
          // A case that failed while the run was being interrupted failed of the interrupt (a
          // pool worker or a partner process killed by the same Ctrl-C): not an error row.
          if (interrupt_requested()) throw Interrupted();
          failed[idx] = true;
          all_ok = false;
          sink.write(error_row(g, c, rep, outcome.text));
        } else if (rep >= 1) {
          row.rep = rep;
          sink.write(row);
          // Ranks on several hosts share no clock: their moments make no time line.
          if (timeline != nullptr && run.startup_ns >= 0) timeline->write(row, run);
        }
      }
    }
  }
  return all_ok;
}

}  // namespace parbench
