// command: a user's shell command as the unit of work. Each worker runs `cmd` through /bin/sh,
// `count` times one after another inside the timed region, so N workers run N copies side by side
// (will-it-scale's way of running a test case N times in parallel): runs per second, speedup over
// one worker, and each run's latency from spawn to exit. Before the gate, untimed, each worker runs
// `true` the same way a few times: the floor, what starting any command costs here. `prepare` runs
// once before each repetition, untimed (hyperfine's --prepare, per repetition).
//
// A run that exits with a non-zero status (or a signal) is the repetition's error, with the status
// and the end of its stderr; the verification is that every run of every worker exited 0. A command
// inherits the worker's CPU set: the whole machine's unless --pin pins the workers.
#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <stdexcept>
#include <vector>

#include "child_process.hpp"
#include "clock.hpp"
#include "stats.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"
#include "workload.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): unistd.h declares it only
                        // with _GNU_SOURCE

namespace parbench {
namespace {

constexpr std::size_t kFloorRuns = 10;
constexpr std::size_t kFloorWarmup = 3;
constexpr std::size_t kStderrTail = 200;

// Where a worker's commands read and write: stdin and stdout /dev/null, stderr a memory file whose
// end is quoted when a run fails.
struct CommandIo {
  UniqueFd null_fd, err_fd;

  static CommandIo open_io() {
    CommandIo io{UniqueFd(open("/dev/null", O_RDWR | O_CLOEXEC)),
                 UniqueFd(memfd_create("parbench-command-stderr", MFD_CLOEXEC))};
    check_sys(io.null_fd.get(), "open /dev/null");
    check_sys(io.err_fd.get(), "memfd_create");
    return io;
  }
  // The last lines the command wrote to stderr, on one line.
  [[nodiscard]] std::string stderr_tail() const {
    const off_t size = lseek(err_fd.get(), 0, SEEK_END);
    if (size <= 0) return {};
    const off_t from = std::max<off_t>(0, size - static_cast<off_t>(kStderrTail));
    std::string text(static_cast<std::size_t>(size - from), '\0');
    const ssize_t got = pread(err_fd.get(), text.data(), text.size(), from);
    text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return from > 0 ? "..." + text : text;
  }
  // Empties the stderr file when a run wrote to it (its offset moved).
  void clear_stderr() const {
    if (lseek(err_fd.get(), 0, SEEK_CUR) > 0) {
      check_sys(ftruncate(err_fd.get(), 0), "ftruncate");
      lseek(err_fd.get(), 0, SEEK_SET);
    }
  }
};

// One run of `sh -c command`: its wait status. The shell leads a process group of its own, which
// `running` names while it runs and which is killed when the shell exits, so nothing the command
// left in the background outlives its run; a worker killed on a timeout leaves the group named for
// kill_strays(), and its shell dies with it (PR_SET_PDEATHSIG). Default signal handling.
int run_once(const std::string& command, const CommandIo& io, std::int64_t& running) {
  std::array<const char*, 4> argv = {"sh", "-c", command.c_str(), nullptr};
  const pid_t parent = getpid();
  // vfork: the child only sets itself up and execs, and spawning stays as cheap as posix_spawn.
  const pid_t pid = vfork();  // NOLINT(clang-analyzer-security.insecureAPI.vfork)
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);
    dup2(io.null_fd.get(), STDIN_FILENO);
    dup2(io.null_fd.get(), STDOUT_FILENO);
    dup2(io.err_fd.get(), STDERR_FILENO);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve("/bin/sh", const_cast<char* const*>(argv.data()), environ);
    _exit(127);
  }
  if (pid < 0) throw_sys("vfork");
  std::atomic_ref<std::int64_t>(running).store(pid, std::memory_order_release);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_sys("waitpid");
  }
  kill(-pid, SIGKILL);  // what it started in the background
  std::atomic_ref<std::int64_t>(running).store(0, std::memory_order_release);
  return status;
}

// The process groups of runs whose worker was killed (a timeout, Ctrl-C) before they ended.
void kill_strays(std::span<std::int64_t> running) {
  for (auto& slot : running) {
    const std::int64_t group = std::atomic_ref<std::int64_t>(slot).exchange(0);
    if (group > 0) kill(-static_cast<pid_t>(group), SIGKILL);
  }
}

// Why a run failed, for the error row: the status and what the command said last.
std::string failure(std::string_view what, const std::string& command, int status,
                    const CommandIo& io) {
  const std::string said = io.stderr_tail();
  const std::string tail = said.empty() ? "no stderr" : fmt::format("stderr: {}", said);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
      said.find("not found") != std::string::npos) {
    return fmt::format("{} '{}': command not found (exit status 127; {})", what, command, tail);
  }
  return fmt::format("{} '{}' {} ({})", what, command, describe_wait_status(status), tail);
}

bool succeeded(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

class CommandExperiment final : public Experiment {
 public:
  explicit CommandExperiment(const PrepareInfo& info)
      : command_(info.params.get("cmd")),
        prepare_(info.params.get("prepare") == "none" ? "" : info.params.get("prepare")),
        count_(static_cast<std::size_t>(info.params.get_int("count"))),
        samples_(
            info.arena.make<std::int64_t>(count_ * static_cast<std::size_t>(info.max_workers))),
        floor_(
            info.arena.make<std::int64_t>(kFloorRuns * static_cast<std::size_t>(info.max_workers))),
        running_(info.arena.make<std::int64_t>(static_cast<std::size_t>(info.max_workers) + 1)),
        io_(static_cast<std::size_t>(info.max_workers)) {}
  ~CommandExperiment() override { kill_strays(running_); }
  CommandExperiment(const CommandExperiment&) = delete;
  CommandExperiment& operator=(const CommandExperiment&) = delete;
  CommandExperiment(CommandExperiment&&) = delete;
  CommandExperiment& operator=(CommandExperiment&&) = delete;

  void before_rep(const RepInfo& /*rep*/) override {
    kill_strays(running_);
    std::fill(samples_.begin(), samples_.end(), 0);
    std::fill(floor_.begin(), floor_.end(), 0);
    if (prepare_.empty()) return;
    const CommandIo io = CommandIo::open_io();
    const int status = run_once(prepare_, io, running_.back());
    if (!succeeded(status)) throw std::runtime_error(failure("prepare", prepare_, status, io));
  }

  void before_gate(const WorkerContext& ctx) override {
    auto& io = io_[static_cast<std::size_t>(ctx.index)];
    io = CommandIo::open_io();
    // The first runs after a worker starts are slower (its pages are touched for the first time):
    // not counted, the floor is what a warm worker pays.
    for (std::size_t k = 0; k < kFloorWarmup + kFloorRuns; ++k) {
      const std::int64_t t0 = now_ns();
      const int status = run_once("true", io, running_[static_cast<std::size_t>(ctx.index)]);
      if (k >= kFloorWarmup)
        floor_[static_cast<std::size_t>(ctx.index) * kFloorRuns + k - kFloorWarmup] = now_ns() - t0;
      if (!succeeded(status)) throw std::runtime_error(failure("the floor", "true", status, io));
    }
  }

  void work(const WorkerContext& ctx) override {
    const auto& io = io_[static_cast<std::size_t>(ctx.index)];
    std::int64_t* out = samples_.data() + static_cast<std::size_t>(ctx.index) * count_;
    std::int64_t& running = running_[static_cast<std::size_t>(ctx.index)];
    for (std::size_t k = 0; k < count_; ++k) {
      const std::int64_t t0 = now_ns();
      const int status = run_once(command_, io, running);
      out[k] = now_ns() - t0;
      if (!succeeded(status)) {
        throw std::runtime_error(
            failure(fmt::format("run {} of {}:", k + 1, count_), command_, status, io));
      }
      io.clear_stderr();
    }
    io_[static_cast<std::size_t>(ctx.index)] = CommandIo{};  // closed: nothing left across reps
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    const auto n = static_cast<std::size_t>(rep.workers);
    std::vector<double> runs(samples_.begin(), samples_.begin() + static_cast<long>(n * count_));
    std::vector<double> floor(floor_.begin(), floor_.begin() + static_cast<long>(n * kFloorRuns));
    if (std::any_of(runs.begin(), runs.end(), [](double v) { return v <= 0; })) {
      throw VerificationError("command: a run has no time: not every run of every worker ran");
    }
    std::sort(runs.begin(), runs.end());
    std::sort(floor.begin(), floor.end());
    const double seconds = static_cast<double>(run.wall_ns) * 1e-9;
    return {{"runs_per_s", static_cast<double>(runs.size()) / seconds},
            {"run_p50_ns", quantile_sorted(runs, 0.5)},
            {"run_p90_ns", quantile_sorted(runs, 0.9)},
            {"run_p99_ns", quantile_sorted(runs, 0.99)},
            {"floor_p50_ns", quantile_sorted(floor, 0.5)}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(count_) * rep.workers;
  }

 private:
  std::string command_, prepare_;
  std::size_t count_;
  std::span<std::int64_t> samples_;  // count_ per worker
  std::span<std::int64_t> floor_;    // kFloorRuns per worker
  // The process group each worker's command runs in (0 when none), and prepare's last.
  std::span<std::int64_t> running_;
  std::vector<CommandIo> io_;  // each worker's, in its own process or thread
};

class Command final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "command"; }
  [[nodiscard]] std::string_view summary() const override {
    return "your shell command: each worker runs cmd through /bin/sh count times; runs/s, "
           "speedup and each run's latency, beside the floor of starting `true`";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "runs"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {ParamSpec::text("cmd",
                            "the command, run by /bin/sh -c (stdin and stdout /dev/null); repeat "
                            "--param cmd=... to compare several",
                            {"true"}),
            ParamSpec::text("prepare",
                            "run by /bin/sh before each repetition, untimed; a failure is the "
                            "repetition's error (none: nothing)",
                            {"none"}),
            ParamSpec::integer("count", "runs per worker per repetition", {"20"}, 1, 100'000)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    return {
        {"runs_per_s", "runs of all workers per second of wall time", MetricSpec::Better::Higher},
        {"run_p50_ns", "median run, spawn to exit", MetricSpec::Better::Lower},
        {"run_p90_ns", "90th percentile run", MetricSpec::Better::Lower},
        {"run_p99_ns", "99th percentile run", MetricSpec::Better::Lower},
        {"floor_p50_ns", "median run of `true` the same way, before the gate: the floor",
         MetricSpec::Better::Lower}};
  }
  [[nodiscard]] ReportRole report_role() const override {
    return {"", "", std::nullopt, "command"};
  }
  [[nodiscard]] std::vector<std::string> default_backends() const override { return {"thread"}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"count", "3"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<CommandExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_command() { return std::make_unique<Command>(); }

}  // namespace parbench
