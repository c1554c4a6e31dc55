#pragma once
// The workload contract. A Workload declares its parameters and metrics and prepares an Experiment
// for one set of parameter values; the Experiment's work() runs in every worker inside the timed
// region and its after_rep() verifies the result. A wrong result is an exception (an error row),
// never a timing.
//
// Workers may be threads or forked processes: everything work() writes that anyone else must read
// goes into memory from the SharedArena. Workloads never fork, start threads or open output files.
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "backend_traits.hpp"
#include "params.hpp"
#include "report_role.hpp"
#include "run_workers.hpp"
#include "shared_memory.hpp"

namespace parbench {

struct MetricSpec {
  enum class Better { Lower, Higher };
  std::string name;  // column name, unit suffixed: spawn_p50_ns, mb_per_s
  std::string help;
  Better better = Better::Lower;
};

// A named value per metric for one repetition; a metric left out is an empty cell.
using Metrics = std::vector<std::pair<std::string, double>>;

// Thrown when a workload's result is wrong.
class VerificationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown (typically by before_rep) when a case cannot be measured on this backend or machine: the
// case becomes one row with status "unsupported" and the reason, which is not an error.
class Unsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RepInfo {
  int workers = 1;
  std::string_view backend;  // its name, for messages; decisions go by its traits
  BackendTraits traits;
};

class Experiment {
 public:
  Experiment() = default;
  virtual ~Experiment() = default;
  Experiment(const Experiment&) = delete;
  Experiment& operator=(const Experiment&) = delete;

  // In the coordinator before each repetition's workers start: reset shared state.
  virtual void before_rep(const RepInfo& /*rep*/) {}
  // In every worker before the start gate, untimed: map the memory work() will touch.
  virtual void before_gate(const WorkerContext& /*ctx*/) {}
  // In every worker, timed.
  virtual void work(const WorkerContext& ctx) = 0;
  // In the coordinator after every worker finished: verify, then report metrics.
  virtual Metrics after_rep(const RepInfo& rep, const RunResult& run) = 0;
  // The amount of work one repetition does, in the workload's unit; speedup compares work per
  // second against the 1-worker case, which covers strong and weak scaling alike.
  [[nodiscard]] virtual double work_units(const RepInfo& rep) const = 0;
  // On the mpi backend, where workers share no memory: the bytes worker `index` writes that
  // after_rep reads (its partial result, its samples). Rank `index` sends its copy to rank 0, which
  // writes it over rank 0's copy before after_rep. Empty when the worker writes nothing to share.
  [[nodiscard]] virtual std::span<std::byte> worker_output(int /*index*/) { return {}; }
};

struct PrepareInfo {
  const ParamValues& params;
  SharedArena& arena;
  int max_workers = 1;  // largest worker count this experiment will run with
};

class Workload {
 public:
  Workload() = default;
  virtual ~Workload() = default;
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view summary() const = 0;
  [[nodiscard]] virtual std::string_view work_unit() const = 0;  // "terms", "bytes", "spawns"
  [[nodiscard]] virtual std::vector<ParamSpec> params() const = 0;
  [[nodiscard]] virtual std::vector<MetricSpec> metrics() const { return {}; }
  // A pin policy the parameters themselves imply (ipc placement: same_core, cross_core), overriding
  // --pin; nullopt to use --pin. A placement the machine cannot provide also returns nullopt, and
  // the Experiment reports the case as Unsupported.
  [[nodiscard]] virtual std::optional<std::string> pin_for(const ParamValues& /*params*/) const {
    return std::nullopt;
  }
  // True when every worker computes for the whole timed region (never sleeps or waits): its CPU
  // time should then match its wall time, and a summary flags the case as noisy when it does not.
  [[nodiscard]] virtual bool cpu_bound() const { return false; }
  // True when memory bandwidth, not the cores, bounds its speedup: the summary then measures it
  // against the machine's memory ceiling instead of its compute ceiling (of_limit.hpp).
  [[nodiscard]] virtual bool memory_bound() const { return false; }
  // True when the workers need no memory in common beyond what worker_output() carries, so the
  // workload runs on the mpi backend (one worker per rank, possibly on different hosts).
  [[nodiscard]] virtual bool runs_on_mpi() const { return false; }
  // False when the workload declares no check of its result (a user's short-form workload without
  // one): `list` and the report say so, since its timings are then of unverified work.
  [[nodiscard]] virtual bool checks_result() const { return true; }
  // The limit and comparison table the reports put its cases in (report_role.hpp).
  [[nodiscard]] virtual ReportRole report_role() const { return {}; }
  // What the parameter values alone cannot show (a user's Python target imports and is callable),
  // checked once per set of values when the plan is made, before anything runs: throws BadInput.
  virtual void check_params(const ParamValues& /*params*/) const {}
  // The backends it runs on when neither --backend nor a suite names them; empty: the default
  // backends (thread and process).
  [[nodiscard]] virtual std::vector<std::string> default_backends() const { return {}; }
  // Worker counts swept when --workers is not given.
  [[nodiscard]] virtual std::vector<int> default_workers(int cpus) const;
  // A quick configuration for smoke tests: parameter overrides that keep one repetition short.
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> smoke_params() const = 0;

  [[nodiscard]] virtual std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const = 0;
};

// 1, 2, 4, ... up to cpus, and cpus itself.
std::vector<int> powers_of_two_up_to(int cpus);

}  // namespace parbench
