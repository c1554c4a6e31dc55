#pragma once
// A backend: how one repetition of a case runs. thread and process start C++ workers with a
// WorkerLauncher and run_workers; py_thread and py_process run the workload's Python version
// through the bridge; mpi hands the case to the ranks of an mpirun job. The plan and the runner see
// only this interface: what differs between backends is data (BackendTraits) and these few calls.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "backend_traits.hpp"
#include "machine.hpp"
#include "run_workers.hpp"
#include "workload.hpp"

namespace parbench {

struct RunPlan;
struct CaseGroup;
struct Case;
struct RunMeta;

// Thrown from a repetition when the job cannot go on: part of the backend was lost (an MPI rank
// timed out, and MPI cannot stop one rank). The runner writes the repetition's error row and
// stops; the session ends the job once the files are finished (BackendSessions::end_lost_job).
class JobLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What to write should a repetition's job be ended from another thread while the repetition is
// stuck in the work (its error row; then the session's job-end hook writes the summary).
using LastWords = std::function<void(const std::string& why)>;

// What one repetition needs: the plan and where the case sits in it (the mpi backend sends the
// indices to its ranks), the group's Experiment, and what to write should its job end early.
struct RepContext {
  const RunPlan& plan;
  int group = 0;
  int case_index = 0;
  Experiment& exp;
  const LastWords& last_words;

  [[nodiscard]] const CaseGroup& case_group() const;
  [[nodiscard]] const Case& the_case() const;
  [[nodiscard]] RepInfo info() const;
};

// A repetition that ran: its timings, the workload's metrics and the work done. A RunResult with
// an error is a failed repetition.
struct RepResult {
  RunResult run;
  Metrics metrics;
  double work_units = 0;
  std::string host;  // the host column when it is not this machine's name (ranks elsewhere)
};

// What a backend needs around a whole run, open from before the plan is made until the command
// ends (MPI: initialized, the other ranks following rank 0's plan, released and finalized at the
// end, the job aborted when a rank is lost).
class BackendSession {
 public:
  BackendSession() = default;
  virtual ~BackendSession() = default;
  BackendSession(const BackendSession&) = delete;
  BackendSession& operator=(const BackendSession&) = delete;

  // This process only runs what another process's plan asks of it and writes nothing.
  [[nodiscard]] virtual bool follower() const { return false; }
  virtual void follow(const RunPlan& /*plan*/) const {}
  // The backend's part of meta.json's run section.
  virtual void describe(RunMeta& /*run*/) const {}
  // What to write however the job ends early (the summary and meta.json); empty to clear.
  virtual void on_job_end(const LastWords& /*write*/) const {}
  // After JobLost, once the files are finished: end the whole job.
  virtual void end_lost_job() const {}
};

class Backend {
 public:
  Backend() = default;
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view description() const = 0;
  [[nodiscard]] virtual BackendTraits traits() const = 0;
  // Run when no --backend is given; the others run only when named (or by a suite).
  [[nodiscard]] virtual bool runs_by_default() const { return false; }
  // Why nothing can run on this backend here ("" when it can): no python3, built without MPI.
  [[nodiscard]] virtual std::string unavailable() const { return {}; }
  // Worker counts when neither --workers nor the suite names them; `usual` is the workload's.
  [[nodiscard]] virtual std::vector<int> default_workers(const Workload& /*w*/,
                                                         std::vector<int> usual) const {
    return usual;
  }
  // Throws BadInput when --workers asks for a count this backend cannot have.
  virtual void check_workers(int /*workers*/) const {}
  // Why this workload cannot run with `workers` workers here ("" when it can).
  [[nodiscard]] virtual std::string unsupported(const Workload& /*w*/, int /*workers*/) const {
    return {};
  }
  // The host column of the case's rows, also of its error rows: where its workers run.
  [[nodiscard]] virtual std::string host_of(const Case& /*c*/) const { return host_name(); }
  // One repetition. Throws Unsupported (the case cannot run here), Interrupted, JobLost, or any
  // other exception for a failed repetition.
  [[nodiscard]] virtual RepResult run_rep(const RepContext& ctx) const = 0;
  // The session this backend needs around a run it is named in; nullptr when none.
  [[nodiscard]] virtual std::unique_ptr<BackendSession> open_session() const { return nullptr; }
};

// The sessions of the backends a run names (--backend), opened in order, closed in reverse.
class BackendSessions {
 public:
  // `backend_list` as typed; a list that does not parse opens nothing (make_plan says why).
  explicit BackendSessions(const std::string& backend_list);
  [[nodiscard]] bool follower() const;
  void follow(const RunPlan& plan) const;
  void describe(RunMeta& run) const;
  void on_job_end(const LastWords& write) const;
  void end_lost_job() const;

 private:
  std::vector<std::unique_ptr<BackendSession>> sessions_;
};

// Every backend, the default ones first.
const std::vector<std::unique_ptr<Backend>>& all_backends();
// The ones that run when no --backend is given.
std::vector<const Backend*> default_backends();
// nullptr when no backend has that name.
const Backend* find_backend(std::string_view name);

}  // namespace parbench
