// Speedup stacks (speedup_stack.hpp): the arithmetic on rows built by hand, then cases built to
// lose in one way each, run for real, whose largest component must be that way.
#include <fcntl.h>
#include <fmt/core.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

#include "registry.hpp"
#include "simple_workload.hpp"
#include "speedup_stack.hpp"
#include "summary.hpp"
#include "support.hpp"

using namespace parbench;

namespace {

Row rep_row(int workers, double wall, double work, double cpu, double skew, double imbalance,
            std::optional<double> other_load_pct = std::nullopt) {
  Row r;
  r.workload = "w";
  r.backend = "thread";
  r.workers = workers;
  r.pin = "none";
  r.rep = 1;
  r.wall_ns = static_cast<std::int64_t>(wall);
  r.work_units = work;
  r.cpu_user_ns = static_cast<std::int64_t>(cpu);
  r.cpu_sys_ns = 0;
  r.skew_total_ns = static_cast<std::int64_t>(skew);
  r.imbalance_total_ns = static_cast<std::int64_t>(imbalance);
  r.other_load_pct = other_load_pct;
  r.steal_pct = other_load_pct ? std::optional<double>(0) : std::nullopt;
  return r;
}

// The 2-worker case's summary row from a 1-worker case (1000 ns, all on CPU, 100 units) and one
// 2-worker repetition.
SummaryRow stack_of(const Row& two, const Row& one = rep_row(1, 1000, 100, 1000, 0, 0)) {
  NoiseRule rule;
  rule.cpus = 2;
  const auto s = summarize_rows({one, two}, {}, rule);
  return s.at(1);
}

double sum_of(const SummaryRow& r) {
  double total = *r.speedup;
  for (const auto& p : stack_parts(*r.stack)) total += p.value.value_or(0);
  return total;
}

std::string largest(const SummaryRow& r) {
  const auto loss = largest_loss(*r.stack);
  return loss ? std::string(loss->column) : "none";
}

}  // namespace

TEST_CASE("a speedup stack splits the worker count into the speedup and its losses",
          "[summary][stack]") {
  // 600 ns for the same 100 units: skew 20, imbalance 100, CPU 60 more than alone, 20 off CPU.
  const SummaryRow r = stack_of(rep_row(2, 600, 100, 1060, 20, 100));
  REQUIRE(*r.speedup == Approx(1000.0 / 600));
  REQUIRE(*r.stack->start_skew == Approx(20.0 / 600));
  REQUIRE(*r.stack->imbalance == Approx(100.0 / 600));
  REQUIRE(*r.stack->more_cpu == Approx(60.0 / 600));
  REQUIRE(*r.stack->off_cpu == Approx(20.0 / 600));
  REQUIRE(r.stack->residual == Approx(0).margin(1e-12));
  REQUIRE(sum_of(r) == Approx(2));
  // Other load not measured: the component is absent, not zero, and the note says so.
  REQUIRE_FALSE(r.stack->others_cpu);
  REQUIRE_THAT(r.stack_note, Catch::Contains("other load not measured"));
  // No ceiling yet; one of 1.9x takes what it explains from the extra CPU first.
  REQUIRE_FALSE(r.stack->ceiling);
  SummaryRow c = r;
  add_stack_ceiling(c, 1.9);
  REQUIRE(*c.stack->ceiling == Approx(0.1));
  REQUIRE(*c.stack->more_cpu == Approx(0));
  REQUIRE(sum_of(c) == Approx(2));
  SummaryRow none = r;
  add_stack_ceiling(none, std::nullopt);
  REQUIRE_THAT(none.stack_note, Catch::Contains("no speedup ceiling"));
  // The 1-worker case has none; rows without the workers' times give none, with the reason.
  NoiseRule rule;
  const auto s = summarize_rows(
      {rep_row(1, 1000, 100, 1000, 0, 0), rep_row(2, 600, 100, 1060, 20, 100)}, {}, rule);
  REQUIRE_FALSE(s[0].stack);
  Row old = rep_row(2, 600, 100, 1060, 20, 100);
  old.skew_total_ns.reset();
  const SummaryRow o = stack_of(old);
  REQUIRE(o.speedup);
  REQUIRE_FALSE(o.stack);
  REQUIRE_THAT(o.stack_note, Catch::Contains("skew_total_ns"));
}

TEST_CASE("each way of losing speedup is the stack's largest part", "[summary][stack]") {
  // Imbalance: one worker has twice the other's share (667 vs 333 of 1000 ns of work).
  const SummaryRow imbalanced = stack_of(rep_row(2, 667, 100, 1000, 0, 334, 0.0));
  REQUIRE(largest(imbalanced) == "lost_imbalance");
  // Off CPU: the workers sleep in turn (each half its time blocked).
  const SummaryRow blocked = stack_of(rep_row(2, 1000, 100, 1000, 0, 0, 0.0));
  REQUIRE(largest(blocked) == "lost_off_cpu");
  REQUIRE(*blocked.stack->off_cpu == Approx(1));
  // Others' CPU: the same, while other load used one of the two CPUs.
  const SummaryRow preempted = stack_of(rep_row(2, 1000, 100, 1000, 0, 0, 50.0));
  REQUIRE(largest(preempted) == "lost_others_cpu");
  REQUIRE(*preempted.stack->others_cpu == Approx(1));
  REQUIRE(*preempted.stack->off_cpu == Approx(0));
  // Other load bounded by the off-CPU time there was: never more than the workers lost.
  const SummaryRow busy_but_quick = stack_of(rep_row(2, 520, 100, 1000, 0, 0, 90.0));
  REQUIRE(*busy_but_quick.stack->others_cpu == Approx(40.0 / 520));
  // More CPU per unit: both on CPU all the time, 1.6x the CPU per unit (memory bus, spinning).
  const SummaryRow contended = stack_of(rep_row(2, 800, 100, 1600, 0, 0, 0.0));
  REQUIRE(largest(contended) == "lost_more_cpu");
  REQUIRE(*contended.stack->more_cpu == Approx(0.75));
  for (const auto* r : {&imbalanced, &blocked, &preempted, &busy_but_quick, &contended})
    REQUIRE(sum_of(*r) == Approx(2));
  // The 1-worker case's own time off CPU is not a loss: sleeping work that overlaps scales.
  const Row sleepy_one = rep_row(1, 1000, 100, 100, 0, 0, 0.0);
  const SummaryRow overlapped = stack_of(rep_row(2, 500, 100, 100, 0, 0, 0.0), sleepy_one);
  REQUIRE(*overlapped.speedup == Approx(2));
  REQUIRE(*overlapped.stack->off_cpu == Approx(0).margin(1e-12));
}

namespace {

// A workload built to lose one way, or not at all: `even` sums i over an even share of the items,
// `uneven` gives worker 0 twice the share of each other worker (both checked against the closed
// form), and `serial_sleep` has each worker sleep 1 ms per item while holding an flock on one
// file, then 0.5 ms without it, so the workers take turns.
std::uint64_t sum_range(std::int64_t begin, std::int64_t end) {
  std::uint64_t sum = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    asm volatile("" : "+r"(i));  // a loop, not its closed form
    sum += static_cast<std::uint64_t>(i);
  }
  return sum;
}

std::uint64_t sleep_in_turn(const SimpleWorker& w) {
  const std::string path = fmt::format("/tmp/parbench-stack-{}.lock", w.param_int("key"));
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return 0;  // the check then fails
  for (std::int64_t i = w.begin; i < w.end; ++i) {
    flock(fd, LOCK_EX);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    flock(fd, LOCK_UN);
    // A pause outside the lock hands it to a waiting worker (flock is not fair: without it one
    // worker could take all its turns first and the other's wait would read as imbalance).
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  close(fd);
  return static_cast<std::uint64_t>(w.end - w.begin);
}

const bool probe_registered = register_simple_workload({
    .name = "stack_probe",
    .summary =
        "test workload: sums evenly, loses to imbalance (uneven) or to waiting (serial_sleep)",
    .unit = "items",
    .items = 2'000'000,
    .params = {ParamSpec::choice("mode", "how it loses", {"even"},
                                 {"even", "uneven", "serial_sleep"}),
               ParamSpec::integer("key", "names the lock file of serial_sleep", {"0"}, 0, 1e9)},
    .work = [](const SimpleWorker& w) -> std::uint64_t {
      if (w.param("mode") == "serial_sleep") return sleep_in_turn(w);
      if (w.param("mode") == "even") return sum_range(w.begin, w.end);
      const std::int64_t items = w.param_int("items"), weights = w.workers + 1;
      const auto edge = [&](int k) { return k == 0 ? 0 : items * (k + 1) / weights; };
      return sum_range(edge(w.index), edge(w.index + 1));
    },
    .check = [](const SimpleCheck& c) -> std::string {
      std::uint64_t sum = 0;
      for (const std::uint64_t r : c.results) sum += r;
      const auto n = static_cast<std::uint64_t>(c.items);
      const std::uint64_t expected = c.params->get("mode") == "serial_sleep" ? n : n * (n - 1) / 2;
      return sum == expected ? "" : fmt::format("{} != {}", sum, expected);
    },
});

NoiseRule machine_rule() {
  NoiseRule rule;
  rule.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  return rule;
}

RunRequest probe(const std::string& mode, const std::string& items) {
  RunRequest req;
  req.targets = {"stack_probe"};
  req.backends = {"thread", "process"};
  req.workers = {1, 2};
  req.reps = 3;
  req.params = {{"mode", {mode}}, {"items", {items}}, {"key", {std::to_string(getpid())}}};
  return req;
}

void check_stacks(const std::vector<SummaryRow>& summary,
                  const std::vector<std::string>& expected) {
  std::size_t checked = 0;
  for (const auto& r : summary) {
    if (r.workers < 2) continue;
    INFO(r.workload << " " << r.backend << " " << stack_line(r) << " " << r.error);
    REQUIRE(r.ok());
    REQUIRE(r.stack);
    REQUIRE(std::find(expected.begin(), expected.end(), largest(r)) != expected.end());
    REQUIRE(sum_of(r) == Approx(r.workers).margin(0.15));
    ++checked;
  }
  REQUIRE(checked > 0);
}

// Busy loops pinned one per CPU, for as long as the object lives.
class Spinners {
 public:
  explicit Spinners(int cpus) {
    for (int cpu = 0; cpu < cpus; ++cpu) {
      const pid_t pid = fork();
      if (pid == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof(set), &set);
        for (std::uint64_t i = 0;; ++i) asm volatile("" : "+r"(i));
      }
      pids_.push_back(pid);
    }
  }
  ~Spinners() {
    for (const pid_t pid : pids_) kill(pid, SIGKILL);
    for (const pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }
  Spinners(const Spinners&) = delete;
  Spinners& operator=(const Spinners&) = delete;

 private:
  std::vector<pid_t> pids_;
};

}  // namespace

TEST_CASE("cases built to lose one way each show that way as the largest loss", "[stack][quiet]") {
  REQUIRE(probe_registered);
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) PARBENCH_SKIP("needs 2 CPUs");
  SECTION("an uneven split: imbalance") {
    const auto rows = test::run_request(probe("uneven", "120000000"));
    check_stacks(summarize_rows(rows, {{"mode", "items", "key"}, {}}, machine_rule()),
                 {"lost_imbalance"});
  }
  SECTION("workers sleeping in turn: time blocked or sleeping") {
    const auto rows = test::run_request(probe("serial_sleep", "40"));
    std::remove(fmt::format("/tmp/parbench-stack-{}.lock", getpid()).c_str());
    check_stacks(summarize_rows(rows, {{"mode", "items", "key"}, {}}, machine_rule()),
                 {"lost_off_cpu"});
  }
  SECTION("a busy loop beside each worker: CPU taken by other load") {
    // The 1-worker case alone, the 2-worker case pinned beside a busy loop on each of its CPUs.
    RunRequest one = probe("even", "300000000");
    one.workers = {1};
    auto rows = test::run_request(one);
    RunRequest two = probe("even", "300000000");
    two.workers = {2};
    two.pins = {"0+1"};
    {
      const Spinners beside(2);
      for (auto& r : test::run_request(two)) rows.push_back(r);
    }
    for (auto& r : rows) r.pin = "none";  // one case across the two runs
    check_stacks(summarize_rows(rows, {{"mode", "items", "key"}, {}}, machine_rule()),
                 {"lost_others_cpu"});
  }
  SECTION("a contended spin lock: more CPU per unit; a sleeping lock: that or time blocked") {
    RunRequest req;
    req.targets = {"lock_contention"};
    req.backends = {"thread"};
    req.workers = {1, 2};
    req.reps = 3;
    req.params = {{"lock", {"tas"}}, {"cs_ns", {"100"}}, {"duration_ms", {"50"}}};
    const ReportSchema schema{{"lock", "cs_ns", "outside_ns", "duration_ms"}, {}};
    check_stacks(summarize_rows(test::run_request(req), schema, machine_rule()), {"lost_more_cpu"});
    req.params[0] = {"lock", {"flock"}};
    check_stacks(summarize_rows(test::run_request(req), schema, machine_rule()),
                 {"lost_more_cpu", "lost_off_cpu"});
  }
}
