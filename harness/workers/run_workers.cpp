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
  char error[256] = {};
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
      if (fds.empty() && unpollable.empty()) return "";
      const std::int64_t left_ms = (deadline_ns - now_ns()) / 1'000'000 + 1;
      // Without pidfds, exits are seen at the next slice (of at most 2 ms) instead of at once.
      const int wait_ms =
          static_cast<int>(std::min<std::int64_t>(unpollable.empty() ? slice_ms : 2, left_ms));
      const int rc = poll(fds.data(), fds.size(), wait_ms);
      if (rc < 0) continue;  // EINTR: loop re-checks the signal flag
      std::vector<std::size_t> exited;
      for (std::size_t k = 0; k < fds.size(); ++k) {
        if ((fds[k].revents & (POLLIN | POLLHUP)) != 0) exited.push_back(which[k]);
      }
      for (std::size_t i : unpollable) {
        if (children_[i].has_exited()) exited.push_back(i);
      }
      for (std::size_t i : exited) {
        const int status = children_[i].reap();
        if (!exited_cleanly(status)) {
          kill_all();
          // A Ctrl-C, a SIGTERM or a hang-up sent to the whole process group kills the workers
          // too: their deaths are the interrupt, not a fault of the case.
          if (interrupted_by_run_signal(status)) throw Interrupted();
          return per_worker_ ? fmt::format("worker {} {}", i, describe_wait_status(status))
                             : fmt::format("worker process {}", describe_wait_status(status));
        }
      }
    }
    return "";
  }

  void kill_all() {
    for (auto& c : children_) c.kill_and_reap();
  }

 private:
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
  ThreadCounters counters;  // opened before the gate: a few system calls nobody should time
  WorkerTiming t;
  t.ready_ns = now_ns();
  at_gate();
  counters.start();
  const ThreadUsage use0 = thread_usage();
  t.cpu_at_pass = sched_getcpu();
  t.pass_ns = now_ns();
  body();
  t.end_ns = now_ns();
  const ThreadUsage use1 = thread_usage();
  counters.stop();
  t.cpu_at_end = sched_getcpu();
  t.user_ns = use1.user_ns - use0.user_ns;
  t.sys_ns = use1.sys_ns - use0.sys_ns;
  t.vol_ctx_switches = use1.vol_ctx_switches - use0.vol_ctx_switches;
  t.invol_ctx_switches = use1.invol_ctx_switches - use0.invol_ctx_switches;
  t.minor_faults = use1.minor_faults - use0.minor_faults;
  t.major_faults = use1.major_faults - use0.major_faults;
  t.counters = counters.read();
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

RunResult run_workers(const WorkerLauncher& launcher, const RunSpec& spec, const WorkerBody& body) {
  if (spec.workers < 1) throw std::invalid_argument("run_workers: workers must be at least 1");
  const auto n = static_cast<std::size_t>(spec.workers);
  SharedRegion control_region(sizeof(Control));
  SharedRegion slot_region(n * sizeof(WorkerSlot));
  auto& control = *new (control_region.data()) Control();
  auto* slots = static_cast<WorkerSlot*>(slot_region.data());
  for (std::size_t i = 0; i < n; ++i) new (slots + i) WorkerSlot();

  const auto cpus = static_cast<int>(allowed_cpus().size());
  std::vector<int> distinct = spec.cpus;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  control.gate.spin = spec.cpus.empty()
                          ? spec.workers < cpus
                          : distinct.size() == spec.cpus.size() && spec.workers < cpus;

  const auto entry = [&](int i) {
    run_one_worker(i, spec, control, slots[static_cast<std::size_t>(i)], body);
  };
  const std::int64_t deadline = now_ns() + spec.timeout.count();
  const std::int64_t children_cpu_before = reaped_children_cpu_ns();
  std::vector<ChildProcess> children;
  try {
    children = launcher.launch(spec.workers, entry, &control.launch);
  } catch (const std::exception& e) {
    RunResult failed;
    failed.error = e.what();
    return failed;
  }
  Supervisor supervisor(children, launcher.process_per_worker());

  RunResult result;
  auto fail = [&](std::string why) {
    supervisor.kill_all();
    result.error = std::move(why);
    return result;
  };
  // A worker that throws stops the wait at once: its partners may be waiting for it forever.
  auto failed_worker = [&]() -> int {
    for (std::size_t i = 0; i < n; ++i) {
      if (get_state(slots[i]) == SlotState::Failed) return static_cast<int>(i);
    }
    return -1;
  };
  auto all_ready = [&] {
    return std::atomic_ref<std::uint32_t>(control.gate.ready).load(std::memory_order_acquire) >=
               n ||
           failed_worker() >= 0;
  };
  // Short slices at the gate (workers are waiting on us); long ones while they work, where waking
  // up would only take CPU from them: a worker exiting or crashing wakes us through its pidfd.
  std::string fault =
      supervisor.wait_until(deadline, 2, [&] { return all_ready() || control.launch.failed(); });
  if (control.launch.failed()) return fail(control.launch.error);
  if (const int w = failed_worker(); w >= 0) {
    return fail(fmt::format("worker {}: {}", w, slots[static_cast<std::size_t>(w)].error));
  }
  if (fault == "timeout") {
    return fail(fmt::format("timed out after {:.3g} s before all workers started",
                            static_cast<double>(spec.timeout.count()) * 1e-9));
  }
  if (!fault.empty()) return fail(fault + " before the start gate opened");

  const std::optional<CpuTimes> stat_at_release = read_cpu_times();
  control.gate.release();
  fault = supervisor.wait_until(deadline, 20, [&] {
    return failed_worker() >= 0 ||
           std::none_of(children.begin(), children.end(), [](auto& c) { return c.running(); });
  });
  const std::optional<CpuTimes> stat_at_end = read_cpu_times();

  std::vector<int> unfinished;
  for (std::size_t i = 0; i < n; ++i) {
    const SlotState s = get_state(slots[i]);
    if (s == SlotState::Failed) {
      return fail(fmt::format("worker {}: {}", i, slots[i].error));
    }
    if (s != SlotState::Done) unfinished.push_back(static_cast<int>(i));
  }
  if (fault == "timeout") {
    return fail(fmt::format("timed out after {:.3g} s: worker(s) {} still running (killed)",
                            static_cast<double>(spec.timeout.count()) * 1e-9,
                            list_workers(unfinished)));
  }
  if (!fault.empty()) {
    if (!launcher.process_per_worker() && !unfinished.empty()) {
      fault = fmt::format("worker(s) {} did not finish: {}", list_workers(unfinished), fault);
    }
    return fail(fault);
  }
  if (!unfinished.empty()) {
    return fail(fmt::format("worker(s) {} ended without finishing", list_workers(unfinished)));
  }

  for (std::size_t i = 0; i < n; ++i) result.workers.push_back(slots[i].timing);
  summarize_timings(result, control.launch.launch_ns, control.gate.open_ns);
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
