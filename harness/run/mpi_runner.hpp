#pragma once
// The mpi backend: every rank of `mpirun -np N parbench run … --backend mpi` builds the same plan
// from the same command line. Rank 0 runs the plan and writes the reports; for each repetition of
// an mpi case it sends each rank which case to run, and ranks 0..workers-1 each run one worker:
// untimed preparation, a barrier as the start gate, the timed work, then every rank sends its
// timing, its error if any and its Experiment::worker_output() to rank 0, which verifies the result
// as on one machine. The other ranks only follow (mpi_follow) and write nothing.
#include <functional>
#include <string>

#include "backend.hpp"
#include "plan.hpp"
#include "run_workers.hpp"

namespace parbench {

// Rank 0 throws JobLost (backend.hpp) when a rank is lost (timed out): MPI cannot stop one rank,
// so after the error row is written the job has to end (mpi::abort). Its LastWords run on the
// watchdog thread when rank 0's own part of a repetition outlives the timeout, while the main
// thread is stuck in the work and cannot leave the work's scope (and touch the reports).

// Rank 0: one repetition of plan.groups[group].cases[case_index] on the ranks; exp is rank 0's
// Experiment, on which before_rep has already run. A worker's error becomes RunResult::error; the
// hosts of the workers are in `hosts` (one per worker). `last_words` writes the repetition's error
// row; the hook set by set_mpi_job_end (the summary and meta.json) runs after it.
RunResult mpi_run_rep(const RunPlan& plan, int group, int case_index, Experiment& exp,
                      std::vector<std::string>& hosts, const LastWords& last_words);
// Rank 0: what to write however the job ends early (a lost rank, or rank 0 stuck): the summary
// and meta.json.
void set_mpi_job_end(LastWords on_end);
// Rank 0: tells the other ranks that the plan is over (they return from mpi_follow).
void mpi_release_followers();
// Ranks other than 0: run what rank 0 asks for until it releases them.
void mpi_follow(const RunPlan& plan);

}  // namespace parbench
