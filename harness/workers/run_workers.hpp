#pragma once
// Runs one repetition: start N workers on a backend, open the start gate when all are in, time the
// work, and turn any fault (exception, crash, non-zero exit, timeout) into an error message.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "counters.hpp"
#include "launcher.hpp"

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

// One worker's repetition, on the CLOCK_MONOTONIC time line shared by all processes. The counts
// cover its timed region (pass to end) only.
struct WorkerTiming {
  std::int64_t ready_ns = 0;  // checked in at the gate
  std::int64_t pass_ns = 0;   // left the gate
  std::int64_t end_ns = 0;    // finished the work
  int cpu_at_pass = -1;       // the CPU it ran on when it left the gate, and when it finished
  int cpu_at_end = -1;
  std::int64_t user_ns = 0;  // CPU time between pass and end
  std::int64_t sys_ns = 0;
  std::int64_t vol_ctx_switches = 0;
  std::int64_t invol_ctx_switches = 0;
  std::int64_t minor_faults = 0;
  std::int64_t major_faults = 0;
  // Runnable but waiting for a CPU between pass and end (RunDelayClock); empty where unreadable.
  std::optional<std::int64_t> run_delay_ns;
  // Peak resident set of the worker's process since just before the gate (threads share one).
  std::optional<std::int64_t> max_rss_kb;
  CounterValues counters;  // perf_event_open counters, in counter_specs() order
};

struct RunResult {
  std::string error;             // empty when every worker finished its work
  std::int64_t wall_ns = 0;      // gate opened -> last worker finished
  std::int64_t cpu_user_ns = 0;  // summed over workers, timed region only
  std::int64_t cpu_sys_ns = 0;
  std::int64_t vol_ctx_switches = 0;  // summed over workers, timed region only
  std::int64_t invol_ctx_switches = 0;
  std::int64_t minor_faults = 0;
  std::int64_t major_faults = 0;
  std::optional<std::int64_t> max_rss_kb;    // the largest of the workers' processes
  std::optional<std::int64_t> run_delay_ns;  // summed; nullopt when any worker lacks it
  CounterValues counters;                    // summed; nullopt when any worker lacks the counter
  std::optional<double> steal_pct;           // over gate-open -> all finished, from /proc/stat
  std::optional<double> other_load_pct;
  std::optional<double> machine_capacity;    // busy_work.hpp, probed by the runner before the rep
  std::optional<double> machine_throughput;  // the same probe's throughput-bound half
  std::int64_t startup_ns = 0;               // first worker started -> last worker at the gate
  std::int64_t start_skew_ns = 0;            // spread of the workers' gate-pass times
  std::int64_t launch_ns = 0;                // the first worker began to start (CLOCK_MONOTONIC)
  std::int64_t release_ns = 0;               // the gate opened
  std::vector<WorkerTiming> workers;

  [[nodiscard]] bool ok() const { return error.empty(); }
};

// Pins the calling thread to one CPU; throws when the kernel refuses.
void pin_current_thread(int cpu);

// One worker's repetition, measured: `at_gate` runs after the untimed preparation and returns when
// the gate opens; `body` is then timed with the worker's CPU time, switches, faults, perf
// counters and peak RSS. Every backend's workers go through here.
WorkerTiming time_worker(const std::function<void()>& at_gate, const std::function<void()>& body);

// Fills the repetition's totals and its wall, startup and skew from r.workers, whose times are on
// one CLOCK_MONOTONIC line: wall is the gate opening (open_ns) to the last worker's end.
void summarize_timings(RunResult& r, std::int64_t launch_ns, std::int64_t open_ns);

// What a speedup stack needs besides the CPU times, summed over the workers: from the gate opening
// to each worker leaving it (skew), and from each worker's end to the last worker's (imbalance).
// Empty when the workers' times are not on one clock (ranks on several hosts) or there are none.
std::optional<std::int64_t> skew_total_ns(const RunResult& r);
// The workers' run delays summed; empty when any worker lacks one.
std::optional<std::int64_t> run_delay_total(const std::vector<WorkerTiming>& workers);
std::optional<std::int64_t> imbalance_total_ns(const RunResult& r);

// Adds one worker's CPU time, switches, faults and peak RSS to the repetition's totals.
void add_worker_totals(RunResult& r, const WorkerTiming& w);

// Throws Interrupted when SIGINT/SIGTERM arrives (after killing and reaping every worker).
RunResult run_workers(const WorkerLauncher& launcher, const RunSpec& spec, const WorkerBody& body);

}  // namespace parbench
