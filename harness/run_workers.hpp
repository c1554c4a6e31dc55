#pragma once
// Runs one repetition: start N workers on a backend, open the start gate when all are in, time the
// work, and turn any fault (exception, crash, non-zero exit, timeout) into an error message.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backend.hpp"

namespace parbench {

struct WorkerContext {
  int index = 0;
  int workers = 1;
};
using WorkerBody = std::function<void(const WorkerContext&)>;

struct RunSpec {
  int workers = 1;
  std::vector<int> cpus;  // one CPU per worker, or empty for no pinning
  std::chrono::nanoseconds timeout = std::chrono::seconds(120);
  // Runs in each worker after pinning and before the gate: untimed preparation (prefaulting
  // shared memory); its cost shows in startup_ns.
  WorkerBody before_gate;
};

struct WorkerTiming {
  std::int64_t ready_ns = 0;  // checked in at the gate
  std::int64_t pass_ns = 0;   // left the gate
  std::int64_t end_ns = 0;    // finished the work
  std::int64_t user_ns = 0;   // CPU time between pass and end
  std::int64_t sys_ns = 0;
  std::int64_t vol_ctx_switches = 0;  // between pass and end
  std::int64_t invol_ctx_switches = 0;
};

struct RunResult {
  std::string error;             // empty when every worker finished its work
  std::int64_t wall_ns = 0;      // gate opened -> last worker finished
  std::int64_t cpu_user_ns = 0;  // summed over workers, timed region only
  std::int64_t cpu_sys_ns = 0;
  std::int64_t vol_ctx_switches = 0;  // summed over workers, timed region only
  std::int64_t invol_ctx_switches = 0;
  std::int64_t startup_ns = 0;     // first worker started -> last worker at the gate
  std::int64_t start_skew_ns = 0;  // spread of the workers' gate-pass times
  std::vector<WorkerTiming> workers;

  [[nodiscard]] bool ok() const { return error.empty(); }
};

// Throws Interrupted when SIGINT/SIGTERM arrives (after killing and reaping every worker).
RunResult run_workers(const Backend& backend, const RunSpec& spec, const WorkerBody& body);

}  // namespace parbench
