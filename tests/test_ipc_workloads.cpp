// The many-party IPC workloads beyond their smoke run: several producers and consumers, several
// clients, and channels that cannot be shared refused with the reason.
#include <catch2/catch.hpp>

#include "runner.hpp"
#include "support.hpp"

using namespace parbench;

namespace {

std::vector<Row> run(RunRequest req) {
  req.reps = 2;
  req.warmup = 0;
  req.timeout_s = 60;
  test::MemorySink sink;
  REQUIRE(execute_plan(make_plan(req), sink));
  REQUIRE(test::child_pids().empty());
  return sink.rows;
}

}  // namespace

TEST_CASE("fan-in: 2 producers, 3 consumers, every task once, per-producer order", "[ipc][fanin]") {
  RunRequest req;
  req.targets = {"ipc_fanin"};
  req.workers = {5};
  req.params = {
      {"producers", {"2"}},
      {"count", {"3001"}},
      {"channel", {"pipe", "fifo", "posix_mq", "unix_seqpacket", "shm_queue", "inproc_queue"}}};
  for (const auto& r : run(req)) {
    INFO(r.backend << " " << *r.param("channel") << ": " << r.error);
    if (r.unsupported()) {
      REQUIRE(*r.param("channel") == "inproc_queue");
      continue;
    }
    REQUIRE(r.ok());
    REQUIRE(*r.metric("jain") <= 1.0);
    REQUIRE(*r.metric("jain") >= 1.0 / 3);
    REQUIRE(*r.metric("msgs_per_s") > 0);
  }
}

TEST_CASE("fan-in refuses channels whose messages would interleave, saying why", "[ipc][fanin]") {
  RunRequest req;
  req.targets = {"ipc_fanin"};
  req.workers = {3};
  req.backends = {"process"};
  req.params = {
      {"channel", {"pipe", "unix_stream", "shm_ring"}}, {"size", {"8192"}}, {"count", {"100"}}};
  const auto rows = run(req);
  REQUIRE(rows.size() == 3);
  for (const auto& r : rows) {
    INFO(*r.param("channel"));
    REQUIRE(r.unsupported());
  }
  REQUIRE_THAT(rows[0].error + rows[1].error + rows[2].error,
               Catch::Contains("PIPE_BUF") && Catch::Contains("byte stream") &&
                   Catch::Contains("single-producer"));
}

TEST_CASE("proxy_store: several clients through the server and on the shared table",
          "[ipc][proxy]") {
  RunRequest req;
  req.targets = {"proxy_store"};
  req.workers = {3};
  req.params = {{"ops", {"2000"}}, {"keys", {"17"}}, {"set_pct", {"30"}}};
  const auto rows = run(req);
  REQUIRE(rows.size() == std::size_t{2} * 2 * 2);  // stores x backends x reps
  for (const auto& r : rows) {
    INFO(r.backend << " " << *r.param("store") << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(*r.metric("ops_per_s") > 0);
    REQUIRE(*r.metric("op_p50_ns") <= *r.metric("op_p99_ns"));
  }
}

TEST_CASE("ipc_stream window: a window of messages then an acknowledgement, every message verified",
          "[ipc][stream]") {
  RunRequest req;
  req.targets = {"ipc_stream"};
  req.params = {{"channel", {"pipe", "shm_ring", "posix_mq"}},
                {"size", {"64", "8192"}},
                {"window", {"0", "7"}},
                {"count", {"250"}}};  // 35 windows of 7 and one of 5
  const auto rows = run(req);
  REQUIRE(rows.size() ==
          std::size_t{2} * 3 * 2 * 2 * 2);  // backends, channels, sizes, windows, reps
  for (const auto& r : rows) {
    INFO(r.backend << " " << *r.param("channel") << " " << *r.param("window") << ": " << r.error);
    REQUIRE(r.ok());
    REQUIRE(*r.metric("msgs_per_s") > 0);
  }
  // Buffers for a window are bounded: the case says so instead of allocating them.
  req.params = {{"channel", {"pipe"}}, {"size", {"64Mi"}}, {"window", {"64"}}, {"count", {"1"}}};
  req.backends = {"thread"};
  const auto big = run(req);
  REQUIRE(big.size() == 1);
  REQUIRE(big[0].unsupported());
  REQUIRE_THAT(big[0].error, Catch::Contains("window of 64 messages"));
}
