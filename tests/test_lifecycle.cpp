// Process lifecycle: every stop method ends the child the way it says (exit after the flag, death
// by SIGTERM or SIGKILL), from the coordinator and from inside workers of both backends, and
// leaves no zombie behind.
#include <catch2/catch.hpp>
#include <chrono>

#include "launcher.hpp"
#include "lifecycle.hpp"
#include "run_workers.hpp"
#include "support.hpp"

using namespace parbench;
using namespace std::chrono_literals;

TEST_CASE("every stop method starts, stops and reaps its child", "[lifecycle]") {
  for (const auto& method : stop_methods()) {
    DYNAMIC_SECTION(method) {
      for (int i = 0; i < 5; ++i) {
        const Lifecycle l = start_and_stop(method);  // throws if the child ended another way
        REQUIRE(l.start_ns > 0);
        REQUIRE(l.stop_ns > 0);
      }
      REQUIRE(test::child_pids().empty());
    }
  }
  REQUIRE_THROWS_AS(start_and_stop("pause"), std::invalid_argument);
}

TEST_CASE("lifecycles inside workers of both backends leave no zombie", "[lifecycle][backend]") {
  for (const WorkerLauncher* backend : all_launchers()) {
    DYNAMIC_SECTION(backend->name()) {
      const RunResult r = run_workers(*backend, RunSpec{2, {}, 30s, {}}, [](const WorkerContext&) {
        for (const auto& method : stop_methods()) {
          if (start_and_stop(method).stop_ns <= 0) throw std::runtime_error("no stop time");
        }
      });
      INFO(r.error);
      REQUIRE(r.ok());
      REQUIRE(test::child_pids().empty());
    }
  }
}
