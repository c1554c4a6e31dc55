// Pools: results in input order for map and starmap at every chunksize, callbacks for every task,
// a task's exception reaching the error callback, and a pool process that dies being replaced
// without losing a task or running one twice. Every pool kind, and no process left behind.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "pool.hpp"
#include "shared_memory.hpp"
#include "support.hpp"

using namespace parbench;

namespace {

std::int64_t square(std::span<const std::int64_t> a) { return a[0] * a[0]; }

std::int64_t weighted_sum(std::span<const std::int64_t> a) {
  std::int64_t s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<std::int64_t>(i + 1) * a[i];
  return s;
}

std::int64_t fail_on_seven(std::span<const std::int64_t> a) {
  if (a[0] == 7) throw std::runtime_error("seven is not allowed");
  return a[0];
}

// a[0]: the address of a shared array of run counts; a[1]: the input; a[2]: the input whose task
// kills its own process (SIGKILL), as a crashing task would.
std::int64_t counted(std::span<const std::int64_t> a) {
  auto* runs = reinterpret_cast<std::uint32_t*>(a[0]);
  std::atomic_ref<std::uint32_t>(runs[a[1]]).fetch_add(1);
  if (a[1] == a[2]) raise(SIGKILL);
  return a[1] * 3;
}

}  // namespace

TEST_CASE("pool map and starmap return results in input order", "[pool]") {
  for (const auto& kind : pool_kinds()) {
    for (int chunksize : {1, 3, 0, 1000}) {
      DYNAMIC_SECTION(kind << " chunksize " << chunksize) {
        auto pool = Pool::make(kind, 2);
        std::vector<std::int64_t> inputs(300);
        for (std::size_t i = 0; i < inputs.size(); ++i)
          inputs[i] = static_cast<std::int64_t>(i) - 17;
        const auto squares = pool->map(square, inputs, chunksize);
        REQUIRE(squares.size() == inputs.size());
        for (std::size_t i = 0; i < inputs.size(); ++i)
          REQUIRE(squares[i] == inputs[i] * inputs[i]);

        std::vector<std::vector<std::int64_t>> tuples;
        for (std::int64_t i = 0; i < 50; ++i) tuples.push_back({i, 2 * i, i % 3});
        const auto sums = pool->starmap(weighted_sum, tuples, chunksize);
        for (std::size_t i = 0; i < tuples.size(); ++i) {
          const auto& t = tuples[i];
          REQUIRE(sums[i] == t[0] + 2 * t[1] + 3 * t[2]);
        }
        REQUIRE(pool->map(square, std::span<const std::int64_t>(), chunksize).empty());
      }
    }
  }
  REQUIRE(test::child_pids().empty());
}

TEST_CASE(
    "apply_async: every task ends in one callback, a task's exception reaches the error "
    "callback",
    "[pool]") {
  for (const auto& kind : pool_kinds()) {
    DYNAMIC_SECTION(kind) {
      auto pool = Pool::make(kind, 3);
      std::map<std::int64_t, std::int64_t> results;
      std::map<std::int64_t, std::string> errors;
      for (std::int64_t i = 0; i < 40; ++i) {
        Task t;
        t.fn = fail_on_seven;
        t.args[0] = i;
        t.nargs = 1;
        pool->apply_async(
            t, [&results, i](std::int64_t v) { results[i] = v; },
            [&errors, i](const std::string& e) { errors[i] = e; });
      }
      pool->join();
      REQUIRE(results.size() == 39);
      for (const auto& [i, v] : results) REQUIRE(v == i);
      REQUIRE(errors.size() == 1);
      REQUIRE(errors.at(7) == "seven is not allowed");
      REQUIRE(pool->replaced_workers() == 0);

      // map reports the failing task by position, after the others have ended.
      std::vector<std::int64_t> inputs{1, 2, 7, 4};
      REQUIRE_THROWS_WITH(pool->map(fail_on_seven, inputs, 1),
                          Catch::Contains("task 2 of 4") && Catch::Contains("seven"));
      REQUIRE(pool->map(square, std::vector<std::int64_t>{5}, 1) == std::vector<std::int64_t>{25});
    }
  }
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("a pool process killed by its task is replaced, no task is lost or run twice", "[pool]") {
  for (const std::string kind : {"process", "fresh_process"}) {
    for (int chunksize : {1, 4}) {
      DYNAMIC_SECTION(kind << " chunksize " << chunksize) {
        constexpr std::int64_t kTasks = 60;
        constexpr std::int64_t kVictim = 37;
        SharedRegion region(kTasks * sizeof(std::uint32_t));
        auto* runs = new (region.data()) std::uint32_t[kTasks]();
        auto pool = Pool::make(kind, 2);
        const auto pids_before = pool->worker_pids();

        std::map<std::int64_t, std::int64_t> results;
        std::map<std::int64_t, std::string> errors;
        std::vector<std::vector<std::int64_t>> args;
        for (std::int64_t i = 0; i < kTasks; ++i)
          args.push_back({reinterpret_cast<std::int64_t>(runs), i, kVictim});
        for (std::int64_t i = 0; i < kTasks; ++i) {
          Task t;
          t.fn = counted;
          std::copy(args[static_cast<std::size_t>(i)].begin(),
                    args[static_cast<std::size_t>(i)].end(), t.args.begin());
          t.nargs = 3;
          pool->apply_async(
              t, [&results, i](std::int64_t v) { results[i] = v; },
              [&errors, i](const std::string& e) { errors[i] = e; });
        }
        pool->join();
        REQUIRE(errors.size() == 1);
        INFO(errors.begin()->second);
        REQUIRE(errors.count(kVictim) == 1);
        REQUIRE_THAT(errors.at(kVictim),
                     Catch::Contains("died running this task") && Catch::Contains("signal 9"));
        REQUIRE(results.size() == kTasks - 1);
        for (const auto& [i, v] : results) REQUIRE(v == 3 * i);
        for (std::int64_t i = 0; i < kTasks; ++i) {
          INFO("task " << i);
          REQUIRE(runs[i] == 1);  // neither lost nor run again
        }
        if (kind == "process") {
          REQUIRE(pool->replaced_workers() == 1);
          const auto pids_after = pool->worker_pids();
          REQUIRE(pids_after.size() == 2);
          REQUIRE(pids_after != pids_before);
        }
        // The pool goes on: map over the same tasks, this time with no victim.
        for (auto& a : args) a[2] = -1;
        const auto again = pool->starmap(counted, args, chunksize);
        for (std::int64_t i = 0; i < kTasks; ++i) {
          REQUIRE(again[static_cast<std::size_t>(i)] == 3 * i);
          REQUIRE(runs[i] == 2);
        }
      }
    }
  }
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("pool workers killed from outside are replaced between tasks", "[pool]") {
  auto pool = Pool::make("process", 2);
  for (pid_t pid : pool->worker_pids()) {
    kill(pid, SIGKILL);
    siginfo_t info{};
    waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);  // dead, not yet reaped
  }
  std::vector<std::int64_t> inputs(100);
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = static_cast<std::int64_t>(i);
  const auto out = pool->map(square, inputs, 5);
  for (std::size_t i = 0; i < inputs.size(); ++i) REQUIRE(out[i] == inputs[i] * inputs[i]);
  REQUIRE(pool->replaced_workers() == 2);
  pool.reset();
  REQUIRE(test::child_pids().empty());
}

TEST_CASE("pool arguments are checked", "[pool]") {
  REQUIRE_THROWS_AS(Pool::make("thread", 0), std::invalid_argument);
  REQUIRE_THROWS_AS(Pool::make("fibre", 1), std::invalid_argument);
  auto pool = Pool::make("thread", 1);
  std::vector<std::vector<std::int64_t>> too_long{{1, 2, 3, 4, 5}};
  REQUIRE_THROWS_AS(pool->starmap(weighted_sum, too_long, 1), std::invalid_argument);
}
