#include "run_workers.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <exception>
#include <thread>

#include "clock.hpp"
#include "interference.hpp"
#include "interrupt.hpp"
#include "peak_rss.hpp"
#include "shared_memory.hpp"
#include "start_gate.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

enum class SlotState : std::uint32_t { Starting, Ready, Running, Done, Failed };

// One per worker, each on its own cache lines; written only by its worker, read by the coordinator
// after the worker is gone (its process reaped), so plain fields are enough except `state`.
struct alignas(kCacheLine) WorkerSlot {
  std::uint32_t state = 0;
  WorkerTiming timing;
  char error[512] = {};  // a failed command's status and the end of its stderr fit
};

struct Control {
  StartGate gate;
  LaunchRecord launch;
};

void set_state(WorkerSlot& slot, SlotState s) {
  std::atomic_ref<std::uint32_t>(slot.state)
      .store(static_cast<std::uint32_t>(s), std::memory_order_release);
}
SlotState get_state(WorkerSlot& slot) {
  return static_cast<SlotState>(
      std::atomic_ref<std::uint32_t>(slot.state).load(std::memory_order_acquire));
}

void run_one_worker(int index, const RunSpec& spec, Control& control, WorkerSlot& slot,
                    const WorkerBody& body) {
  try {
    if (!spec.cpus.empty()) pin_current_thread(spec.cpus[static_cast<std::size_t>(index)]);
    if (spec.before_gate) spec.before_gate(WorkerContext{index, spec.workers});
    slot.timing = time_worker(
        [&] {
          set_state(slot, SlotState::Ready);
          control.gate.check_in();
          control.gate.wait_open();
          set_state(slot, SlotState::Running);
        },
        [&] {
          body(WorkerContext{index, spec.workers});
        });
    set_state(slot, SlotState::Done);
  } catch (const std::exception& e) {
    std::snprintf(slot.error, sizeof slot.error, "%s", e.what());
    set_state(slot, SlotState::Failed);
  } catch (...) {
    std::snprintf(slot.error, sizeof slot.error, "unknown exception");
    set_state(slot, SlotState::Failed);
  }
}

std::string list_workers(const std::vector<int>& ids) {
  return fmt::format("{}", fmt::join(ids, ","));
}

// True when the run itself is being interrupted and the worker died of the same kind of signal.
// Sent to a process group, the signal is pending in parbench before any worker can have died of it,
// so the flag is normally set already; the short wait covers a handler not yet run.
bool interrupted_by_run_signal(int status) {
  if (!WIFSIGNALED(status)) return false;
  const int sig = WTERMSIG(status);
  if (sig != SIGINT && sig != SIGTERM && sig != SIGHUP) return false;
  for (int i = 0; i < 50 && !interrupt_requested(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return interrupt_requested();
}

// Supervises the launched processes until all have exited, the deadline passes, or a signal
// arrives. Returns the first fault seen ("" if none); kills the rest as soon as one fault is seen,
// since a partner of a dead worker may wait for it forever.
class Supervisor {
 public:
  Supervisor(std::vector<ChildProcess>& children, bool per_worker)
      : children_(children), per_worker_(per_worker) {}

  // slice_ms: how often `done` is re-checked when no process exits. Exits wake the loop at once.
  std::string wait_until(std::int64_t deadline_ns, int slice_ms,
                         const std::function<bool()>& done) {
    while (!done()) {
      if (interrupt_requested()) {
        kill_all();
        throw Interrupted();
      }
      if (now_ns() >= deadline_ns) return "timeout";
      if (std::none_of(children_.begin(), children_.end(),
                       [](const ChildProcess& c) { return c.running(); }))
        return "";
      for (std::size_t i : wait_for_exits(deadline_ns, slice_ms)) {
        if (std::string fault = reap(i); !fault.empty()) return fault;
      }
    }
    return "";
  }

  void kill_all() {
    for (auto& c : children_) c.kill_and_reap();
  }

 private:
  // Waits up to a slice for children to exit; returns those that did (not yet reaped).
  std::vector<std::size_t> wait_for_exits(std::int64_t deadline_ns, int slice_ms) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> which, unpollable;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (!children_[i].running()) continue;
      if (children_[i].pidfd() >= 0) {
        fds.push_back({children_[i].pidfd(), POLLIN, 0});
        which.push_back(i);
      } else {
        unpollable.push_back(i);
      }
    }
    const std::int64_t left_ms = (deadline_ns - now_ns()) / 1'000'000 + 1;
    // Without pidfds, exits are seen at the next slice (of at most 2 ms) instead of at once.
    const int wait_ms =
        static_cast<int>(std::min<std::int64_t>(unpollable.empty() ? slice_ms : 2, left_ms));
    std::vector<std::size_t> exited;
    if (poll(fds.data(), fds.size(), wait_ms) < 0) return exited;  // EINTR: the caller re-checks
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if ((fds[k].revents & (POLLIN | POLLHUP)) != 0) exited.push_back(which[k]);
    }
    for (std::size_t i : unpollable) {
      if (children_[i].has_exited()) exited.push_back(i);
    }
    return exited;
  }

  // Reaps child i: "" when it exited cleanly, else the fault (the others are then killed).
  std::string reap(std::size_t i) {
    const int status = children_[i].reap();
    if (exited_cleanly(status)) return "";
    kill_all();
    // A Ctrl-C, a SIGTERM or a hang-up sent to the whole process group kills the workers too:
    // their deaths are the interrupt, not a fault of the case.
    if (interrupted_by_run_signal(status)) throw Interrupted();
    return per_worker_ ? fmt::format("worker {} {}", i, describe_wait_status(status))
                       : fmt::format("worker process {}", describe_wait_status(status));
  }

  std::vector<ChildProcess>& children_;
  bool per_worker_;
};

// A sum over workers is only a total when every worker has the value.
void add_optional(std::optional<std::int64_t>& sum, const std::optional<std::int64_t>& v,
                  bool first) {
  if (first) {
    sum = v;
  } else if (sum && v) {
    *sum += *v;
  } else {
    sum.reset();
  }
}

}  // namespace

void pin_current_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    throw std::runtime_error(fmt::format("sched_setaffinity(cpu {}): {}", cpu, strerror(errno)));
  }
}

WorkerTiming time_worker(const std::function<void()>& at_gate, const std::function<void()>& body) {
  // Every worker resets before checking in, so no reset can fall after any worker's gate pass.
  const bool rss_window = reset_peak_rss();
  // Opened before the gate (a few system calls nobody should time), and only under --profile.
  ThreadCounters counters = ThreadCounters::for_run();
  // Read before the gate and after the end, never inside the timed region (counters.hpp).
  const auto migrations0 = thread_migrations();
  const RunDelayClock run_delay;
  WorkerTiming t;
  t.ready_ns = now_ns();
  at_gate();
  counters.start();
  const ThreadUsage use0 = thread_usage();
  const std::optional<std::int64_t> delay0 = run_delay.read();
  t.cpu_at_pass = sched_getcpu();
  t.pass_ns = now_ns();
  body();
  t.end_ns = now_ns();
  const ThreadUsage use1 = thread_usage();
  const std::optional<std::int64_t> delay1 = run_delay.read();
  counters.stop();
  t.cpu_at_end = sched_getcpu();
  t.user_ns = use1.user_ns - use0.user_ns;
  t.sys_ns = use1.sys_ns - use0.sys_ns;
  t.vol_ctx_switches = use1.vol_ctx_switches - use0.vol_ctx_switches;
  t.invol_ctx_switches = use1.invol_ctx_switches - use0.invol_ctx_switches;
  t.minor_faults = use1.minor_faults - use0.minor_faults;
  t.major_faults = use1.major_faults - use0.major_faults;
  if (delay0 && delay1) t.run_delay_ns = *delay1 - *delay0;
  t.counters = counters.read();
  if (const auto migrations1 = thread_migrations(); migrations0 && migrations1)
    t.counters[kCpuMigrations] = *migrations1 - *migrations0;
  if (rss_window) t.max_rss_kb = peak_rss_kb();
  return t;
}

void summarize_timings(RunResult& r, std::int64_t launch_ns, std::int64_t open_ns) {
  r.launch_ns = launch_ns;
  r.release_ns = open_ns;
  std::int64_t last_ready = launch_ns, first_pass = INT64_MAX, last_pass = 0, last_end = open_ns;
  for (std::size_t i = 0; i < r.workers.size(); ++i) {
    const WorkerTiming& w = r.workers[i];
    for (std::size_t c = 0; c < kCounterCount; ++c)
      add_optional(r.counters[c], w.counters[c], i == 0);
    add_worker_totals(r, w);
    last_ready = std::max(last_ready, w.ready_ns);
    first_pass = std::min(first_pass, w.pass_ns);
    last_pass = std::max(last_pass, w.pass_ns);
    last_end = std::max(last_end, w.end_ns);
  }
  r.wall_ns = last_end - open_ns;
  r.startup_ns = last_ready - launch_ns;
  r.start_skew_ns = last_pass - first_pass;
  r.run_delay_ns = run_delay_total(r.workers);
}

std::optional<std::int64_t> run_delay_total(const std::vector<WorkerTiming>& workers) {
  std::optional<std::int64_t> sum;
  for (std::size_t i = 0; i < workers.size(); ++i)
    add_optional(sum, workers[i].run_delay_ns, i == 0);
  return sum;
}

std::optional<std::int64_t> skew_total_ns(const RunResult& r) {
  if (r.workers.empty() || r.startup_ns < 0) return std::nullopt;
  std::int64_t total = 0;
  for (const WorkerTiming& w : r.workers)
    total += std::max<std::int64_t>(0, w.pass_ns - r.release_ns);
  return total;
}

std::optional<std::int64_t> imbalance_total_ns(const RunResult& r) {
  if (r.workers.empty() || r.startup_ns < 0) return std::nullopt;
  const std::int64_t last_end = r.release_ns + r.wall_ns;
  std::int64_t total = 0;
  for (const WorkerTiming& w : r.workers) total += std::max<std::int64_t>(0, last_end - w.end_ns);
  return total;
}

void add_worker_totals(RunResult& r, const WorkerTiming& w) {
  r.cpu_user_ns += w.user_ns;
  r.cpu_sys_ns += w.sys_ns;
  r.vol_ctx_switches += w.vol_ctx_switches;
  r.invol_ctx_switches += w.invol_ctx_switches;
  r.minor_faults += w.minor_faults;
  r.major_faults += w.major_faults;
  if (w.max_rss_kb) r.max_rss_kb = std::max(r.max_rss_kb.value_or(0), *w.max_rss_kb);
}

namespace {

// The shared memory of one repetition, mapped before any worker starts: the start gate and the
// launch record, and one slot per worker.
class SharedState {
 public:
  explicit SharedState(std::size_t workers)
      : control_region_(sizeof(Control)),
        slot_region_(workers * sizeof(WorkerSlot)),
        control_(*new (control_region_.data()) Control()),
        slots_(static_cast<WorkerSlot*>(slot_region_.data())),
        n_(workers) {
    for (std::size_t i = 0; i < n_; ++i) new (slots_ + i) WorkerSlot();
  }

  [[nodiscard]] Control& control() { return control_; }
  [[nodiscard]] WorkerSlot& slot(std::size_t i) { return slots_[i]; }

  // The first worker whose work threw, or -1.
  [[nodiscard]] int failed_worker() {
    for (std::size_t i = 0; i < n_; ++i) {
      if (get_state(slots_[i]) == SlotState::Failed) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] std::string worker_error(int w) {
    return fmt::format("worker {}: {}", w, slots_[static_cast<std::size_t>(w)].error);
  }
  [[nodiscard]] bool all_ready() {
    return std::atomic_ref<std::uint32_t>(control_.gate.ready).load(std::memory_order_acquire) >=
           n_;
  }
  [[nodiscard]] std::vector<int> unfinished() {
    std::vector<int> out;
    for (std::size_t i = 0; i < n_; ++i) {
      if (get_state(slots_[i]) != SlotState::Done) out.push_back(static_cast<int>(i));
    }
    return out;
  }
  [[nodiscard]] std::vector<WorkerTiming> timings() const {
    std::vector<WorkerTiming> out;
    for (std::size_t i = 0; i < n_; ++i) out.push_back(slots_[i].timing);
    return out;
  }

 private:
  SharedRegion control_region_, slot_region_;
  Control& control_;
  WorkerSlot* slots_;
  std::size_t n_;
};

// Spinning at the gate gives the smallest start skew but steals CPU from workers still starting
// up: only when every worker has a CPU of its own.
bool gate_spins(const RunSpec& spec) {
  const auto cpus = static_cast<int>(allowed_cpus().size());
  std::vector<int> distinct = spec.cpus;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  return spec.workers < cpus && (spec.cpus.empty() || distinct.size() == spec.cpus.size());
}

std::string seconds(std::chrono::nanoseconds t) {
  return fmt::format("{:.3g} s", static_cast<double>(t.count()) * 1e-9);
}

// Waits for every worker at the gate; why they did not all get there, or "". Short slices: the
// workers are waiting on us.
std::string wait_for_gate(Supervisor& supervisor, SharedState& shared, std::int64_t deadline,
                          const RunSpec& spec) {
  const std::string fault = supervisor.wait_until(deadline, 2, [&] {
    return shared.all_ready() || shared.failed_worker() >= 0 || shared.control().launch.failed();
  });
  if (shared.control().launch.failed()) return shared.control().launch.error;
  if (const int w = shared.failed_worker(); w >= 0) return shared.worker_error(w);
  if (fault == "timeout")
    return fmt::format("timed out after {} before all workers started", seconds(spec.timeout));
  if (!fault.empty()) return fault + " before the start gate opened";
  return "";
}

// Waits for the work; why it did not finish, or "". Long slices: waking up would only take CPU
// from the workers, and a worker exiting or crashing wakes us through its pidfd.
std::string wait_for_work(Supervisor& supervisor, SharedState& shared,
                          std::vector<ChildProcess>& children, std::int64_t deadline,
                          const RunSpec& spec, bool process_per_worker) {
  std::string fault = supervisor.wait_until(deadline, 20, [&] {
    return shared.failed_worker() >= 0 ||
           std::none_of(children.begin(), children.end(), [](auto& c) { return c.running(); });
  });
  if (const int w = shared.failed_worker(); w >= 0) return shared.worker_error(w);
  const std::vector<int> unfinished = shared.unfinished();
  if (fault == "timeout") {
    return fmt::format("timed out after {}: worker(s) {} still running (killed)",
                       seconds(spec.timeout), list_workers(unfinished));
  }
  if (!fault.empty() && !process_per_worker && !unfinished.empty())
    return fmt::format("worker(s) {} did not finish: {}", list_workers(unfinished), fault);
  if (!fault.empty()) return fault;
  if (!unfinished.empty())
    return fmt::format("worker(s) {} ended without finishing", list_workers(unfinished));
  return "";
}

}  // namespace

RunResult run_workers(const WorkerLauncher& launcher, const RunSpec& spec, const WorkerBody& body) {
  if (spec.workers < 1) throw std::invalid_argument("run_workers: workers must be at least 1");
  SharedState shared(static_cast<std::size_t>(spec.workers));
  shared.control().gate.spin = gate_spins(spec);
  const auto entry = [&](int i) {
    run_one_worker(i, spec, shared.control(), shared.slot(static_cast<std::size_t>(i)), body);
  };
  const std::int64_t deadline = now_ns() + spec.timeout.count();
  const std::int64_t children_cpu_before = reaped_children_cpu_ns();
  RunResult result;
  std::vector<ChildProcess> children;
  try {
    children = launcher.launch(spec.workers, entry, &shared.control().launch);
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }
  Supervisor supervisor(children, launcher.process_per_worker());
  result.error = wait_for_gate(supervisor, shared, deadline, spec);
  if (!result.ok()) {
    supervisor.kill_all();
    return result;
  }
  const std::optional<CpuTimes> stat_at_release = read_cpu_times();
  shared.control().gate.release();
  result.error =
      wait_for_work(supervisor, shared, children, deadline, spec, launcher.process_per_worker());
  const std::optional<CpuTimes> stat_at_end = read_cpu_times();
  if (!result.ok()) {
    supervisor.kill_all();
    return result;
  }
  result.workers = shared.timings();
  summarize_timings(result, shared.control().launch.launch_ns, shared.control().gate.open_ns);
  // What counts as ours: the workers' timed CPU, or, when larger, everything the worker processes
  // and the processes they started and waited for used (spawn's children are the work too).
  const std::int64_t ours = std::max(result.cpu_user_ns + result.cpu_sys_ns,
                                     reaped_children_cpu_ns() - children_cpu_before);
  if (const auto noise =
          interference_between(stat_at_release, stat_at_end, ours, clock_tick_ns())) {
    result.steal_pct = noise->steal_pct;
    result.other_load_pct = noise->other_load_pct;
  }
  return result;
}

}  // namespace parbench
