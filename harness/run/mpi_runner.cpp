#include "mpi_runner.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

#include "clock.hpp"
#include "interference.hpp"
#include "interrupt.hpp"
#include "mpi_world.hpp"

namespace parbench {
namespace {

constexpr int kReportTag = 7;
constexpr int kCommandTag = 8;

struct Command {
  std::int32_t op = 0;  // 1: run a repetition; 0: the plan is over
  std::int32_t group = 0;
  std::int32_t case_index = 0;
};

// Rank 0 sends each follower its command point to point rather than by MPI_Bcast: a follower
// waiting in a collective busy-polls a whole CPU (Open MPI's default), which would load the
// machine while rank 0 runs the thread and process cases, or an mpi case with fewer workers than
// ranks. recv_until sleeps between polls.
void send_command(const Command& cmd) {
  for (int r = 1; r < mpi::size(); ++r)
    mpi::send(r, kCommandTag, std::as_bytes(std::span(&cmd, 1)));
}

Command next_command() {
  const auto msg = mpi::recv_until(0, kCommandTag, std::numeric_limits<std::int64_t>::max());
  Command cmd;
  if (!msg || msg->size() != sizeof cmd)
    throw std::runtime_error("rank 0 sent a malformed command");
  std::memcpy(&cmd, msg->data(), sizeof cmd);
  return cmd;
}

// What a rank sends rank 0 after each repetition: its timing, then its error's length and text,
// then its worker_output() bytes.
static_assert(std::is_trivially_copyable_v<WorkerTiming>);
struct ReportHead {
  WorkerTiming timing;
  std::uint32_t error_bytes = 0;
};

struct WorkerOutcome {
  WorkerTiming timing;
  std::string error;
};

// One rank's part of a repetition. Ranks at or past `workers` only join the barrier. A rank that
// failed before the gate still joins it, so that no rank waits there forever.
WorkerOutcome run_rank(const Case& c, Experiment* exp, const std::string& prepare_error,
                       bool call_before_rep) {
  const int rank = mpi::rank();
  WorkerOutcome out;
  const bool worker = rank < c.workers;
  const WorkerContext ctx{rank, c.workers};
  if (worker) {
    try {
      if (!prepare_error.empty()) throw std::runtime_error(prepare_error);
      if (call_before_rep)
        exp->before_rep(RepInfo{c.workers, c.backend->name(), c.backend->traits()});
      if (!c.cpus.empty()) pin_current_thread(c.cpus[static_cast<std::size_t>(rank)]);
      exp->before_gate(ctx);
    } catch (const std::exception& e) {
      out.error = e.what();
    }
  }
  if (!worker || !out.error.empty()) {
    mpi::barrier();
    return out;
  }
  try {
    out.timing = time_worker([] { mpi::barrier(); }, [&] { exp->work(ctx); });
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::vector<std::byte> encode(const WorkerOutcome& o, std::span<const std::byte> output) {
  ReportHead head{o.timing, static_cast<std::uint32_t>(o.error.size())};
  std::vector<std::byte> msg(sizeof head + o.error.size() + output.size());
  std::memcpy(msg.data(), &head, sizeof head);
  std::memcpy(msg.data() + sizeof head, o.error.data(), o.error.size());
  if (!output.empty())
    std::memcpy(msg.data() + sizeof head + o.error.size(), output.data(), output.size());
  return msg;
}

// Rank 0 waits on its own work in the main thread; this ends the job when that outlives the
// timeout (rank 0 itself hung, or waiting forever for a partner that failed).
LastWords g_on_job_end;

// The error row, then the summary and meta.json: still inside the lock that keeps the main thread
// out of the reports. A failure to write is said, and the job ends all the same.
void say_last_words(const LastWords& last_words, const std::string& why) {
  try {
    if (last_words) last_words(why);
    if (g_on_job_end) g_on_job_end(why);
  } catch (const std::exception& e) {
    fmt::print(stderr, "parbench: writing the reports before the job ends: {}\n", e.what());
  }
}

class Watchdog {
 public:
  Watchdog(std::chrono::nanoseconds timeout, std::string what, const LastWords& last_words)
      : thread_([this, timeout, what = std::move(what), &last_words] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
            const std::string why = fmt::format(
                "timed out after {:.3g} s: rank 0's {}; MPI cannot stop one rank, so the job "
                "ended",
                static_cast<double>(timeout.count()) * 1e-9, what);
            fmt::print(stderr, "parbench: {} (the rows written so far are kept)\n", why);
            say_last_words(last_words, why);
            mpi::abort(1);  // a case failed: its error row is written
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Rank `rank`'s report of the repetition, into `r` (its timing, its result bytes into the
// experiment's output) or `errors`. Throws JobLost when it does not come by the deadline.
void collect_rank(int rank, Experiment& exp, std::int64_t deadline,
                  std::chrono::nanoseconds timeout, const LastWords& last_words, RunResult& r,
                  std::vector<std::string>& errors) {
  const std::string host = mpi::hosts()[static_cast<std::size_t>(rank)];
  std::optional<std::vector<std::byte>> msg;
  try {
    msg = mpi::recv_until(rank, kReportTag, deadline);
  } catch (const Interrupted&) {
    // mpirun ends the job with SIGTERM when it loses a host or a rank (scancel ends a Slurm job
    // likewise; Ctrl-C is SIGINT): the case in flight gets an error row naming whom it awaited.
    if (interrupt_signal() == SIGTERM) {
      last_words(fmt::format(
          "the job was ended (SIGTERM) while rank {} on {} had not reported: a lost host or "
          "rank, or the job cancelled",
          rank, host));
    }
    throw;
  }
  if (!msg) {
    throw JobLost(fmt::format(
        "timed out after {:.3g} s: rank {} on {} did not finish; MPI cannot stop one rank, so "
        "the job ends here",
        static_cast<double>(timeout.count()) * 1e-9, rank, host));
  }
  ReportHead head;
  if (msg->size() < sizeof head) throw JobLost(fmt::format("rank {}: a short report", rank));
  std::memcpy(&head, msg->data(), sizeof head);
  const std::span<const std::byte> rest = std::span(*msg).subspan(sizeof head);
  if (head.error_bytes > 0) {
    errors.push_back(
        fmt::format("worker {} (rank {} on {}): {}", rank, rank, host,
                    std::string(reinterpret_cast<const char*>(rest.data()),
                                std::min<std::size_t>(head.error_bytes, rest.size()))));
    r.workers.push_back(head.timing);
    return;
  }
  const std::span<std::byte> output = exp.worker_output(rank);
  if (rest.size() != output.size()) {
    errors.push_back(fmt::format("worker {} (rank {} on {}): sent {} result bytes, expected {}",
                                 rank, rank, host, rest.size(), output.size()));
  } else if (!output.empty()) {
    std::memcpy(output.data(), rest.data(), output.size());
  }
  r.workers.push_back(head.timing);
}

// The repetition's times from the ranks': on one host, on one clock like the other backends';
// across hosts, each rank's own pass-to-end, without what needs one time line.
void summarize_ranks(RunResult& r, const std::vector<std::string>& hosts, std::int64_t launch_ns,
                     const std::optional<CpuTimes>& stat_before,
                     const std::optional<CpuTimes>& stat_after) {
  const bool one_host = std::all_of(hosts.begin(), hosts.end(),
                                    [&](const std::string& h) { return h == hosts.front(); });
  if (one_host) {
    // One CLOCK_MONOTONIC for every rank: the gate opened when the first rank left the barrier.
    std::int64_t open_ns = INT64_MAX;
    for (const auto& w : r.workers) open_ns = std::min(open_ns, w.pass_ns);
    summarize_timings(r, launch_ns, open_ns);
    if (const auto noise = interference_between(stat_before, stat_after,
                                                r.cpu_user_ns + r.cpu_sys_ns, clock_tick_ns())) {
      r.steal_pct = noise->steal_pct;
      r.other_load_pct = noise->other_load_pct;
    }
  } else {
    // Each host has its own clock: the wall time is the slowest rank's own pass-to-end, and what
    // needs one time line (startup, skew, the timeline, other load) is left out.
    summarize_timings(r, 0, 0);
    r.wall_ns = 0;
    for (const auto& w : r.workers) r.wall_ns = std::max(r.wall_ns, w.end_ns - w.pass_ns);
    r.startup_ns = -1;
    r.start_skew_ns = -1;
  }
}

}  // namespace

void set_mpi_job_end(LastWords on_end) { g_on_job_end = std::move(on_end); }

RunResult mpi_run_rep(const RunPlan& plan, int group, int case_index, Experiment& exp,
                      std::vector<std::string>& hosts, const LastWords& last_words) {
  const CaseGroup& g = plan.groups[static_cast<std::size_t>(group)];
  const Case& c = g.cases[static_cast<std::size_t>(case_index)];
  const auto n = static_cast<std::size_t>(c.workers);
  const std::int64_t launch_ns = now_ns();
  const std::int64_t deadline = launch_ns + plan.timeout.count();

  send_command(Command{1, group, case_index});
  const std::optional<CpuTimes> stat_before = read_cpu_times();
  WorkerOutcome own;
  {
    const Watchdog watchdog(plan.timeout, fmt::format("{} worker 0", g.workload->name()),
                            last_words);
    own = run_rank(c, &exp, "", false);
  }
  const std::optional<CpuTimes> stat_after = read_cpu_times();

  RunResult r;
  std::vector<std::string> errors;
  if (!own.error.empty()) errors.push_back(fmt::format("worker 0 (rank 0): {}", own.error));
  r.workers.push_back(own.timing);
  for (int rank = 1; rank < c.workers; ++rank)
    collect_rank(rank, exp, deadline, plan.timeout, last_words, r, errors);
  if (!errors.empty()) {
    r.error = errors.front();
    r.workers.clear();
    return r;
  }

  hosts.assign(mpi::hosts().begin(), mpi::hosts().begin() + static_cast<std::ptrdiff_t>(n));
  summarize_ranks(r, hosts, launch_ns, stat_before, stat_after);
  return r;
}

void mpi_release_followers() {
  if (!mpi::initialized() || mpi::size() < 2) return;
  send_command(Command{});
}

void mpi_follow(const RunPlan& plan) {
  int prepared_group = -1;
  SharedArena arena;
  std::unique_ptr<Experiment> exp;
  std::string prepare_error;
  for (;;) {
    const Command cmd = next_command();
    if (cmd.op == 0) return;
    const CaseGroup& g = plan.groups.at(static_cast<std::size_t>(cmd.group));
    const Case& c = g.cases.at(static_cast<std::size_t>(cmd.case_index));
    if (cmd.group != prepared_group) {
      exp.reset();
      arena = SharedArena();
      prepare_error.clear();
      try {
        exp = g.workload->prepare(PrepareInfo{g.params, arena, g.max_workers});
      } catch (const std::exception& e) {
        prepare_error = fmt::format("prepare: {}", e.what());
      }
      prepared_group = cmd.group;
    }
    const WorkerOutcome out = run_rank(c, exp.get(), prepare_error, true);
    if (mpi::rank() >= c.workers) continue;
    std::span<const std::byte> output;
    if (out.error.empty() && exp) output = exp->worker_output(mpi::rank());
    mpi::send(0, kReportTag, encode(out, output));
  }
}

}  // namespace parbench
