// The profile columns: counts read for workers whose behaviour is known (sleeping, computing,
// touching pages, pinned), counters the machine lacks reported as missing rather than zero, the
// /proc/stat arithmetic, and the timeline of a 2-worker run.
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "clock.hpp"
#include "counters.hpp"
#include "csv_reader.hpp"
#include "interference.hpp"
#include "launcher.hpp"
#include "plan.hpp"
#include "rows_csv.hpp"
#include "run_workers.hpp"
#include "runner.hpp"
#include "support.hpp"
#include "timeline_csv.hpp"
#include "topology.hpp"

using namespace parbench;
using namespace std::chrono_literals;

namespace {

RunResult run_one(const WorkerLauncher& backend, const WorkerBody& body,
                  std::vector<int> cpus = {}) {
  RunResult r = run_workers(backend, RunSpec{1, std::move(cpus), 30s, {}}, body);
  REQUIRE(r.ok());
  return r;
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool counter_available(std::size_t index) { return probe_counters()[index].available; }

// The counter columns of a run as the rows CSV writes them: cell("cycles") is that cell's text.
std::function<std::string(std::string_view)> counter_cells(const RunResult& r) {
  Row row;
  row.cycles = r.counters[kCycles];
  row.instructions = r.counters[kInstructions];
  row.cache_misses = r.counters[kCacheMisses];
  row.branch_misses = r.counters[kBranchMisses];
  row.cpu_migrations = r.counters[kCpuMigrations];
  const ReportSchema schema;
  return [header = rows_header(schema), cells = row_cells(row, schema)](std::string_view column) {
    const auto col = std::find(header.begin(), header.end(), column) - header.begin();
    return cells.at(static_cast<std::size_t>(col));
  };
}

// run --profile for the length of a test.
struct ProfilingOn {
  ProfilingOn() { set_profiling(true); }
  ~ProfilingOn() { set_profiling(false); }
  ProfilingOn(const ProfilingOn&) = delete;
  ProfilingOn& operator=(const ProfilingOn&) = delete;
};

}  // namespace

TEST_CASE("a sleeping worker uses little CPU and blocks, a busy one is on CPU", "[profile]") {
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      const RunResult sleeper =
          run_one(*backend, [](const WorkerContext&) { std::this_thread::sleep_for(40ms); });
      REQUIRE(sleeper.wall_ns >= 40'000'000);
      REQUIRE(sleeper.cpu_user_ns + sleeper.cpu_sys_ns < 10'000'000);
      REQUIRE(sleeper.vol_ctx_switches >= 1);

      // Computes until it has had 40 ms of CPU, however long the machine makes that take.
      const RunResult busy = run_one(*backend, [](const WorkerContext&) {
        const std::int64_t until = thread_cpu_ns() + 40'000'000;
        while (thread_cpu_ns() < until) {
        }
      });
      const std::int64_t cpu = busy.cpu_user_ns + busy.cpu_sys_ns;
      REQUIRE(cpu >= 40'000'000);
      REQUIRE(cpu <= busy.wall_ns + 1'000'000);
      REQUIRE(busy.vol_ctx_switches <= 2);  // it never blocks (a page fault on a new stack may)
      // Neither preempted nor blocked, it was on a CPU all along (steal time, which this
      // kernel leaves out of a thread's CPU time, is what keeps the bound below 1).
      if (busy.invol_ctx_switches == 0) REQUIRE(cpu >= busy.wall_ns / 2);

      if (counter_available(kCycles)) {
        REQUIRE(sleeper.counters[kCycles].has_value());
        REQUIRE(*sleeper.counters[kCycles] < *busy.counters[kCycles] / 4);
      }
    }
  }
}

TEST_CASE("touching new pages shows as minor faults and in the peak resident set", "[profile]") {
  constexpr std::size_t kBytes = 32 << 20;
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      const RunResult r = run_one(*backend, [](const WorkerContext&) {
        void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(p != MAP_FAILED);
        auto* bytes = static_cast<volatile char*>(p);
        for (std::size_t i = 0; i < kBytes; i += 4096) bytes[i] = 1;
        munmap(p, kBytes);
      });
      // Transparent huge pages can map 2 MiB per fault; 4 KiB pages take 8192 faults.
      REQUIRE(r.minor_faults >= static_cast<std::int64_t>(kBytes >> 21));
      // Anonymous memory is filled with zeros, never read from disk: its faults are minor.
      REQUIRE(r.major_faults < r.minor_faults);
      REQUIRE(r.max_rss_kb.has_value());
      REQUIRE(*r.max_rss_kb >= static_cast<std::int64_t>(kBytes / 1024));
    }
  }
}

TEST_CASE("a pinned worker stays on its CPU and counts no migration", "[profile]") {
  const int cpu = allowed_cpus().back();
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      const RunResult r =
          run_one(*backend, [](const WorkerContext&) { spin_for(20'000'000); }, {cpu});
      REQUIRE(r.workers.size() == 1);
      REQUIRE(r.workers[0].cpu_at_pass == cpu);
      REQUIRE(r.workers[0].cpu_at_end == cpu);
      if (thread_migrations()) {
        REQUIRE(r.counters[kCpuMigrations] == std::optional<std::int64_t>(0));
      } else {
        WARN("cpu_migrations is unsupported here: no /proc/thread-self/sched");
        REQUIRE_FALSE(r.counters[kCpuMigrations].has_value());
      }
    }
  }
}

TEST_CASE("a counter that cannot be opened reads as missing, never as zero", "[profile]") {
  // An event type no kernel has: every counter fails to open, as hardware counters do in a VM.
  auto bogus = counter_specs();
  for (auto& spec : bogus) {
    spec.type = PERF_TYPE_MAX + 7;
    spec.config = 0;
  }
  ThreadCounters counters(bogus);
  counters.start();
  spin_for(1'000'000);
  counters.stop();
  const CounterValues values = counters.read();
  for (std::size_t i = 0; i < kCounterCount; ++i) {
    REQUIRE_FALSE(values[i].has_value());
    REQUIRE_FALSE(counters.failure(i).empty());
  }

  // The real hardware counters under --profile: present in a run exactly when the probe finds
  // them, and an absent one is an empty cell in the rows CSV.
  const ProfilingOn on;
  const RunResult r = run_one(thread_launcher(), [](const WorkerContext&) { spin_for(1'000'000); });
  const auto status = probe_counters();
  const auto cell = counter_cells(r);
  for (std::size_t i = 0; i < kCounterCount; ++i) {
    if (i == kCpuMigrations) continue;  // never a perf event (counters.hpp)
    INFO(status[i].column << ": " << status[i].detail);
    REQUIRE(r.counters[i].has_value() == status[i].available);
    REQUIRE(cell(status[i].column).empty() == !status[i].available);
  }
}

TEST_CASE("without --profile no perf event is opened and the hardware counter cells are empty",
          "[profile]") {
  REQUIRE_FALSE(profiling());
  const RunResult r = run_one(thread_launcher(), [](const WorkerContext&) { spin_for(1'000'000); });
  const auto cell = counter_cells(r);
  for (std::size_t i = 0; i < kCounterCount; ++i) {
    const auto& spec = counter_specs()[i];
    INFO(spec.column);
    // cpu_migrations is the scheduler's own count, read outside the timed region: always there
    // when the kernel has it.
    const bool expected = i == kCpuMigrations && thread_migrations().has_value();
    REQUIRE(cell(spec.column).empty() == !expected);
    if (i != kCpuMigrations) REQUIRE(ThreadCounters::for_run().failure(i) == kProfilingOff);
  }
}

TEST_CASE("steal and other load from two /proc/stat readings", "[profile]") {
  const auto before = parse_proc_stat("intr 1 2 3\ncpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2\n");
  REQUIRE(before.has_value());
  REQUIRE(before->total() == 1000);
  // 200 ticks pass: 100 busy (user 80, system 20), 60 idle, 40 stolen.
  const auto after = parse_proc_stat("cpu  180 0 70 860 10 0 0 80 0 0\n");
  REQUIRE(after.has_value());
  constexpr std::int64_t tick = 10'000'000;
  // The workers used 60 ticks of the 100 busy ones: others used 40 of 200.
  const auto i = interference_between(before, after, 60 * tick, tick);
  REQUIRE(i.has_value());
  REQUIRE(i->steal_pct == Approx(20.0));
  REQUIRE(i->other_load_pct == Approx(20.0));
  // Workers' CPU beyond the ticks counted (sampling): the others' share does not go negative.
  REQUIRE(interference_between(before, after, 500 * tick, tick)->other_load_pct == 0.0);
  // Too short a window, or a missing reading, gives nothing rather than a made-up 0.
  const auto nearly = parse_proc_stat("cpu  101 0 50 805 10 0 0 40 0 0\n");
  REQUIRE_FALSE(interference_between(before, nearly, 0, tick).has_value());
  REQUIRE_FALSE(interference_between(std::nullopt, after, 0, tick).has_value());
  REQUIRE_FALSE(parse_proc_stat("cpu0 1 2 3\n").has_value());
  REQUIRE_FALSE(parse_proc_stat("cpu  1 2 x\n").has_value());

  // A real repetition long enough for the tick resolution has both figures, each a share.
  const RunResult r =
      run_one(thread_launcher(), [](const WorkerContext&) { std::this_thread::sleep_for(150ms); });
  REQUIRE(r.steal_pct.has_value());
  REQUIRE(*r.steal_pct >= 0.0);
  REQUIRE(*r.steal_pct <= 100.0);
  REQUIRE(r.other_load_pct.has_value());
  REQUIRE(*r.other_load_pct >= 0.0);
  REQUIRE(*r.other_load_pct <= 100.0);
}

TEST_CASE("the timeline of a 2-worker run has both workers' intervals", "[profile][runner]") {
  test::TempDir dir;
  const std::string path = dir.path() + "/t.timeline.csv";
  RunRequest req;
  req.targets = {"sleep"};
  req.workers = {2};
  req.params = {{"ms", {"60"}}};
  req.reps = 2;
  req.warmup = 0;
  const RunPlan plan = make_plan(req);
  {
    test::MemorySink rows;
    TimelineCsvSink timeline(path, plan.schema);
    REQUIRE(execute_plan(plan, rows, {}, &timeline));
  }
  const CsvTable t = CsvTable::read(path);
  REQUIRE(t.header() == timeline_header(plan.schema));
  const auto col = [&](const std::string& name) { return *t.column(name); };
  const auto num = [&](const std::vector<std::string>& r, const std::string& name) {
    return std::stoll(r[col(name)]);
  };
  std::map<std::pair<std::string, std::string>, std::vector<const std::vector<std::string>*>>
      by_rep;
  for (const auto& r : t.rows()) by_rep[{r[col("backend")], r[col("rep")]}].push_back(&r);
  REQUIRE(by_rep.size() == all_launchers().size() * 2);
  for (const auto& [key, workers] : by_rep) {
    INFO(key.first << " rep " << key.second);
    REQUIRE(workers.size() == 2);
    std::set<std::string> ids;
    for (const auto* w : workers) {
      ids.insert((*w)[col("worker")]);
      REQUIRE(num(*w, "launch_ns") <= num(*w, "ready_ns"));
      REQUIRE(num(*w, "ready_ns") <= num(*w, "release_ns"));
      REQUIRE(num(*w, "release_ns") <= num(*w, "start_ns"));
      REQUIRE(num(*w, "end_ns") - num(*w, "start_ns") >= 60'000'000);
    }
    REQUIRE(ids == std::set<std::string>{"0", "1"});
    // Sleepers released together overlap: each starts before the other ends.
    REQUIRE(num(*workers[0], "start_ns") < num(*workers[1], "end_ns"));
    REQUIRE(num(*workers[1], "start_ns") < num(*workers[0], "end_ns"));
  }
}
