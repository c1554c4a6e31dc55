#pragma once
// Executes a plan: one Experiment per case group, warm-up repetitions discarded, counted
// repetitions interleaved across the group's cases, one Row per (case, repetition) to the sink.
#include <functional>

#include "plan.hpp"
#include "rows_csv.hpp"
#include "timeline_csv.hpp"

namespace parbench {

struct Progress {
  std::size_t done = 0;  // repetitions finished, warm-up included
  std::size_t total = 0;
  std::size_t cases_done = 0, cases_total = 0;
  const CaseGroup* group = nullptr;
  const Case* current = nullptr;
  int rep = 0;  // <= 0 while warming up
  // Set for the one call made when a case has finished (its last repetition, or its failure):
  // its wall times and how it ended ("ok", "error: ...", "unsupported: ...").
  const Case* finished = nullptr;
  std::vector<double> finished_wall_ns;
  std::string finished_status;
};
// Called before every repetition (current set) and once when a case finishes (finished set).
using ProgressFn = std::function<void(const Progress&)>;

// Returns true when every case ran without error. Throws Interrupted on SIGINT/SIGTERM, with every
// row finished so far already in the sink. Each measured repetition's worker timings also go to
// `timeline` when one is given.
bool execute_plan(const RunPlan& plan, RowSink& sink, const ProgressFn& progress = {},
                  TimelineSink* timeline = nullptr);

}  // namespace parbench
