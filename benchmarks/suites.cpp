#include "suites.hpp"

namespace parbench {

const std::vector<Suite>& all_suites() {
  static const std::vector<Suite> suites = {
      {"default",
       "speedup of CPU-bound, memory-bound and sleeping work on both backends, and the cost of "
       "starting a worker; about a minute on a 2-core machine",
       {{"cpu_sum", {{"n", "6e8"}, {"scaling", "strong"}}, {}},
        {"mem_sum", {{"bytes", "256Mi"}, {"passes", "4"}}, {}},
        {"sleep", {{"ms", "50"}}, {}},
        {"spawn", {{"count", "100"}}, {}}}},
      {"ipc",
       "every IPC channel: round-trip latency on one core and across cores, one-way throughput for "
       "messages of 8 B to 1 MiB, the task-queue fan-in and the Manager pattern, between threads "
       "and "
       "between processes; a few minutes",
       {{"ipc_pingpong", {{"placement", "same_core,cross_core"}, {"wait", "block"}}, {}},
        {"ipc_pingpong",
         {{"channel", "shm_ring"}, {"placement", "same_core,cross_core"}, {"wait", "spin"}},
         {}},
        {"ipc_stream", {{"placement", "cross_core"}, {"wait", "block"}}, {}},
        {"ipc_stream",
         {{"channel", "shm_ring"}, {"placement", "cross_core"}, {"wait", "spin"}},
         {}},
        {"ipc_fanin", {}, {}},
        {"proxy_store", {}, {}}}},
      {"locks",
       "every lock kind at 1, 2 and 4 workers with an empty and a 100 ns critical section: "
       "throughput, "
       "fairness, hand-offs, acquire latency; the bank balance with and without a lock; counting "
       "semaphores, event wake-up latency and barrier crossings; a few minutes",
       {{"lock_contention", {{"cs_ns", "0,100"}}, {1, 2, 4}},
        {"bank", {}, {}},
        {"semaphore", {}, {}},
        {"event", {}, {}},
        {"barrier", {}, {}}}},
      {"quick",
       "a regression-gate sample of each area in about 20 s: cpu_sum at 1 and 2 workers, a pipe "
       "round trip on one core, a futex mutex and a pthread mutex at 2 workers (cs_ns=100: with an "
       "empty critical section, lock throughput between runs is bimodal on a VM)",
       {{"cpu_sum", {{"n", "1e8"}}, {1, 2}},
        {"ipc_pingpong",
         {{"channel", "pipe"}, {"size", "64"}, {"placement", "same_core"}, {"count", "20000"}},
         {}},
        {"lock_contention",
         {{"lock", "futex_mutex,pthread_mutex"}, {"cs_ns", "100"}, {"duration_ms", "50"}},
         {2}}}},
  };
  return suites;
}

const Suite* find_suite(std::string_view name) {
  for (const auto& s : all_suites()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace parbench
