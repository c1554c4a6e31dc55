// Both backends run the body in N workers, collect every result through shared memory, and turn
// every kind of worker fault into an error without leaving a process or an IPC entry behind.
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "child_process.hpp"
#include "clock.hpp"
#include "interrupt.hpp"
#include "launcher.hpp"
#include "run_workers.hpp"
#include "shared_memory.hpp"
#include "support.hpp"

using namespace parbench;
using namespace std::chrono_literals;

namespace {

RunSpec spec_of(int workers, std::chrono::nanoseconds timeout = 30s) {
  return RunSpec{workers, {}, timeout, {}};
}

// Every fault test also checks that nothing outlives the run.
void require_nothing_left(const std::set<std::string>& ipc_before) {
  REQUIRE(test::child_pids().empty());
  REQUIRE(test::ipc_entries_settled(ipc_before) == ipc_before);
}

}  // namespace

TEST_CASE("every backend runs the body in every worker and collects the results", "[backend]") {
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      const int n = 3;
      SharedRegion region(sizeof(Padded<int>) * n);
      auto* results = new (region.data()) Padded<int>[n];
      const RunResult r = run_workers(*backend, spec_of(n), [&](const WorkerContext& ctx) {
        REQUIRE(ctx.workers == n);
        results[ctx.index].value = 100 + ctx.index;
      });
      REQUIRE(r.ok());
      for (int i = 0; i < n; ++i) REQUIRE(results[i].value == 100 + i);
      REQUIRE(r.workers.size() == n);
      std::int64_t last_ready = 0, first_pass = INT64_MAX;
      for (const auto& w : r.workers) {
        REQUIRE(w.end_ns >= w.pass_ns);
        last_ready = std::max(last_ready, w.ready_ns);
        first_pass = std::min(first_pass, w.pass_ns);
      }
      // The gate: nobody starts working before everybody has checked in.
      REQUIRE(first_pass >= last_ready);
      std::int64_t last_pass = 0, last_end = 0;
      for (const auto& w : r.workers) {
        last_pass = std::max(last_pass, w.pass_ns);
        last_end = std::max(last_end, w.end_ns);
      }
      // The summary is the workers' own times: skew is the spread of gate passes, wall runs from
      // the gate's opening to the last finish.
      REQUIRE(r.start_skew_ns == last_pass - first_pass);
      REQUIRE(r.wall_ns == last_end - r.release_ns);
      REQUIRE(r.release_ns <= first_pass);
      REQUIRE(r.startup_ns > 0);
      REQUIRE(test::child_pids().empty());
    }
  }
}

TEST_CASE("the before-gate hook runs in every worker before its timed work", "[backend]") {
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      SharedRegion region(sizeof(Padded<int>) * 6);
      auto* seen = new (region.data()) Padded<int>[6];
      RunSpec spec = spec_of(3);
      spec.before_gate = [&](const WorkerContext& ctx) { seen[ctx.index].value = 1; };
      const RunResult r = run_workers(*backend, spec, [&](const WorkerContext& ctx) {
        seen[3 + ctx.index].value = seen[ctx.index].value + 1;  // 2 only if the hook ran first
      });
      REQUIRE(r.ok());
      for (int i = 0; i < 3; ++i) REQUIRE(seen[3 + i].value == 2);
    }
  }
}

TEST_CASE("CPU time and context switches are measured: busy workers compute, sleeping ones block",
          "[backend]") {
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      const RunResult busy = run_workers(*backend, spec_of(1), [](const WorkerContext&) {
        const std::int64_t until = now_ns() + 60'000'000;
        while (now_ns() < until) {
        }
      });
      REQUIRE(busy.ok());
      REQUIRE(busy.cpu_user_ns + busy.cpu_sys_ns > busy.wall_ns / 4);
      const RunResult idle = run_workers(
          *backend, spec_of(1), [](const WorkerContext&) { std::this_thread::sleep_for(60ms); });
      REQUIRE(idle.ok());
      REQUIRE(idle.wall_ns >= 60'000'000);
      REQUIRE(idle.cpu_user_ns + idle.cpu_sys_ns < idle.wall_ns / 4);
      // Six sleeps of 10 ms are six blocking waits, each a voluntary switch; preemption cannot
      // turn a sleep into an involuntary one.
      const RunResult naps = run_workers(*backend, spec_of(1), [](const WorkerContext&) {
        for (int i = 0; i < 6; ++i) std::this_thread::sleep_for(10ms);
      });
      REQUIRE(naps.ok());
      REQUIRE(naps.vol_ctx_switches >= 6);
      REQUIRE(naps.workers.at(0).vol_ctx_switches == naps.vol_ctx_switches);
    }
  }
}

TEST_CASE("pinned workers run on the CPU they were given", "[backend][pin]") {
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      SharedRegion region(sizeof(Padded<int>) * 2);
      auto* cpu = new (region.data()) Padded<int>[2];
      const RunResult r =
          run_workers(*backend, RunSpec{2, {0, 0}, 30s, {}},
                      [&](const WorkerContext& ctx) { cpu[ctx.index].value = sched_getcpu(); });
      REQUIRE(r.ok());
      REQUIRE(cpu[0].value == 0);
      REQUIRE(cpu[1].value == 0);
    }
  }
}

TEST_CASE("worker faults become errors and leave nothing behind", "[backend][fault]") {
  const auto ipc_before = test::ipc_entries();
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name() << ": exception") {
      const RunResult r = run_workers(*backend, spec_of(2), [](const WorkerContext& ctx) {
        if (ctx.index == 1) throw std::runtime_error("boom");
      });
      REQUIRE_FALSE(r.ok());
      REQUIRE_THAT(r.error, Catch::Contains("worker 1: boom"));
      require_nothing_left(ipc_before);
    }
    DYNAMIC_SECTION(backend->name() << ": segfault") {
      const RunResult r = run_workers(*backend, spec_of(2), [](const WorkerContext& ctx) {
        if (ctx.index == 0) raise(SIGSEGV);
        std::this_thread::sleep_for(50ms);
      });
      REQUIRE_FALSE(r.ok());
      REQUIRE_THAT(r.error, Catch::Contains("signal 11") && Catch::Contains("SIGSEGV"));
      require_nothing_left(ipc_before);
    }
    DYNAMIC_SECTION(backend->name() << ": abort") {
      const RunResult r =
          run_workers(*backend, spec_of(1), [](const WorkerContext&) { std::abort(); });
      REQUIRE_FALSE(r.ok());
      REQUIRE_THAT(r.error, Catch::Contains("SIGABRT"));
      require_nothing_left(ipc_before);
    }
    DYNAMIC_SECTION(backend->name() << ": non-zero exit") {
      const RunResult r = run_workers(*backend, spec_of(2), [](const WorkerContext& ctx) {
        if (ctx.index == 1) _exit(3);
      });
      REQUIRE_FALSE(r.ok());
      REQUIRE_THAT(r.error, Catch::Contains("exited with status 3"));
      require_nothing_left(ipc_before);
    }
    DYNAMIC_SECTION(backend->name() << ": hang") {
      const auto t0 = std::chrono::steady_clock::now();
      const RunResult r = run_workers(*backend, spec_of(2, 300ms), [](const WorkerContext& ctx) {
        if (ctx.index == 1) pause();  // never returns
      });
      const auto took = std::chrono::steady_clock::now() - t0;
      REQUIRE_FALSE(r.ok());
      REQUIRE_THAT(r.error, Catch::Contains("timed out") && Catch::Contains("1"));
      REQUIRE(took < 10s);
      require_nothing_left(ipc_before);
    }
  }
}

TEST_CASE("an interrupt stops the workers, reaps them and is reported", "[backend][fault]") {
  install_interrupt_handlers();
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      // A real SIGINT from another process, as from a terminal or a CI runner cancelling the job.
      const pid_t parent = getpid();
      ChildProcess sender = ChildProcess::fork_and_run([parent] {
        std::this_thread::sleep_for(200ms);
        return kill(parent, SIGINT);
      });
      REQUIRE_THROWS_AS(run_workers(*backend, spec_of(2), [](const WorkerContext&) { pause(); }),
                        Interrupted);
      REQUIRE(interrupt_signal() == SIGINT);
      REQUIRE(sender.reap() == 0);
      set_interrupt_for_testing(0);
      REQUIRE(test::child_pids().empty());
    }
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}
