#include "runner.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "busy_work.hpp"
#include "columns.hpp"
#include "interrupt.hpp"
#include "machine.hpp"
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
  r.host = c.backend->host_of(c);
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
  for (const Column& c : measured_columns()) c.set_from(row, run);
}

// One repetition of one case (plan.groups[gi].cases[ci]); on success `row` is filled in.
RepOutcome run_rep(const RepContext& ctx, Row& row, RunResult& run) {
  using K = RepOutcome::Kind;
  const Case& c = ctx.the_case();
  if (!c.unsupported.empty()) return {K::Unsupported, c.unsupported};
  try {
    const std::optional<MachineSpeed> machine = case_capacity(c.workers, c.cpus);
    RepResult rep = c.backend->run_rep(ctx);
    if (!rep.run.ok()) return {K::Error, rep.run.error};
    run = std::move(rep.run);
    if (machine) {
      run.machine_capacity = machine->capacity;
      run.machine_throughput = machine->throughput;
    }
    row = base_row(ctx.case_group(), c);
    if (!rep.host.empty()) row.host = rep.host;
    for (auto& [name, value] : rep.metrics) row.metrics.emplace_back(name, value);
    fill_row(row, run);
    row.work_units = rep.work_units;
    if (run.startup_ns < 0) {  // workers on several hosts: no common clock
      row.startup_ns.reset();
      row.start_skew_ns.reset();
    }
    return {};
  } catch (const Interrupted&) {
    throw;
  } catch (const JobLost&) {
    throw;
  } catch (const Unsupported& e) {
    return {K::Unsupported, e.what()};
  } catch (const VerificationError& e) {
    return {K::Error, fmt::format("wrong result: {}", e.what())};
  } catch (const std::exception& e) {
    return {K::Error, e.what()};
  }
}

// Where the rows of a run go, and its progress.
struct Output {
  RowSink& sink;
  const ProgressFn& progress;
  TimelineSink* timeline;
  Progress p;
};

// Writes what one repetition came to. Returns false when the case failed or cannot run here: it
// then gets this one row, not one per repetition.
bool record(Output& out, const CaseGroup& g, const Case& c, int rep, const RepOutcome& outcome,
            Row& row, const RunResult& run, bool& all_ok) {
  switch (outcome.kind) {
    case RepOutcome::Kind::Unsupported: {
      Row r = base_row(g, c);
      r.status = "unsupported";
      r.error = outcome.text;
      out.sink.write(r);
      return false;
    }
    case RepOutcome::Kind::Error:
      // A case that failed while the run was being interrupted failed of the interrupt (a pool
      // worker or a partner process killed by the same Ctrl-C): not an error row.
      if (interrupt_requested()) throw Interrupted();
      all_ok = false;
      out.sink.write(error_row(g, c, rep, outcome.text));
      return false;
    case RepOutcome::Kind::Ok:
      if (rep >= 1) {
        row.rep = rep;
        out.sink.write(row);
        // Ranks on several hosts share no clock: their moments make no time line.
        if (out.timeline != nullptr && run.startup_ns >= 0) out.timeline->write(row, run);
      }
      return true;
  }
  return true;
}

// Tells the progress function that case `c` has finished: its wall times and how it ended.
void case_finished(Output& out, const Case& c, std::vector<double> walls, bool failed,
                   const RepOutcome& last) {
  ++out.p.cases_done;
  if (!out.progress) return;
  Progress finished = out.p;
  finished.finished = &c;
  finished.finished_wall_ns = std::move(walls);
  if (!failed) {
    finished.finished_status = "ok";
  } else {
    finished.finished_status = fmt::format(
        "{}: {}", last.kind == RepOutcome::Kind::Unsupported ? "unsupported" : "error", last.text);
  }
  out.progress(finished);
}

// Every round of one group: warm-up, then the counted repetitions, its cases interleaved.
bool run_group(const RunPlan& plan, std::size_t gi, Experiment& exp, Output& out) {
  const CaseGroup& g = plan.groups[gi];
  const int rounds = plan.warmup + plan.reps;
  bool all_ok = true;
  std::vector<bool> failed(g.cases.size(), false);
  std::vector<std::vector<double>> walls(g.cases.size());
  for (int round = 0; round < rounds; ++round) {
    const int rep = round - plan.warmup + 1;
    // Alternate the order every round (A B, B A, ...): slow drift of the machine then hits every
    // case alike, and no case always runs right after the same neighbour.
    for (std::size_t k = 0; k < g.cases.size(); ++k) {
      const std::size_t idx = round % 2 == 0 ? k : g.cases.size() - 1 - k;
      const Case& c = g.cases[idx];
      out.p.current = &c;
      out.p.rep = rep;
      if (out.progress) out.progress(out.p);
      ++out.p.done;
      if (interrupt_requested()) throw Interrupted();
      if (failed[idx]) continue;
      Row row;
      RunResult run;
      const LastWords last_words = [&](const std::string& why) {
        out.sink.write(error_row(g, c, rep, why));
      };
      RepOutcome outcome;
      try {
        outcome =
            run_rep(RepContext{plan, static_cast<int>(gi), static_cast<int>(idx), exp, last_words},
                    row, run);
      } catch (const JobLost& e) {
        out.sink.write(error_row(g, c, rep, e.what()));
        throw;
      }
      failed[idx] = !record(out, g, c, rep, outcome, row, run, all_ok);
      if (!failed[idx] && rep >= 1 && row.wall_ns)
        walls[idx].push_back(static_cast<double>(*row.wall_ns));
      if (failed[idx] || round == rounds - 1)
        case_finished(out, c, std::move(walls[idx]), failed[idx], outcome);
    }
  }
  return all_ok;
}

}  // namespace

bool execute_plan(const RunPlan& plan, RowSink& sink, const ProgressFn& progress,
                  TimelineSink* timeline) {
  const auto rounds = static_cast<std::size_t>(plan.warmup) + static_cast<std::size_t>(plan.reps);
  Output out{sink, progress, timeline, {}};
  out.p.total = plan.case_count() * rounds;
  out.p.cases_total = plan.case_count();
  bool all_ok = true;
  for (std::size_t gi = 0; gi < plan.groups.size(); ++gi) {
    const CaseGroup& g = plan.groups[gi];
    out.p.group = &g;
    SharedArena arena;
    std::unique_ptr<Experiment> exp;
    try {
      exp = g.workload->prepare(PrepareInfo{g.params, arena, g.max_workers});
    } catch (const std::exception& e) {
      for (const Case& c : g.cases)
        sink.write(error_row(g, c, 1, fmt::format("prepare: {}", e.what())));
      out.p.done += g.cases.size() * rounds;
      out.p.cases_done += g.cases.size();
      all_ok = false;
      continue;
    }
    all_ok = run_group(plan, gi, *exp, out) && all_ok;
  }
  return all_ok;
}

}  // namespace parbench
