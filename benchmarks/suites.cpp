#include "suites.hpp"

#include "registry.hpp"

namespace parbench {

namespace {
const std::vector<std::string> kSeedBackends = {"thread", "process", "py_thread", "py_process"};

// The multiprocessing patterns, each with its claim, on the four seed backends.
Suite multiprocessing_suite() {
  return {
      "multiprocessing",
      "the multiprocessing patterns people learn from, each with the claim made about it, on C++ "
      "threads and processes and on Python threading and multiprocessing (python3); ends with a "
      "table of claim, figures and verdict; a few minutes",
      {{"cpu_sum", {{"n", "1e7"}, {"scaling", "weak"}}, {4}, kSeedBackends},
       {"sleep", {{"ms", "500"}}, {10}, kSeedBackends},
       {"ipc_pingpong",
        {{"channel", "pipe,shm_queue"}, {"size", "64"}, {"placement", "none"}, {"count", "1000"}},
        {2},
        kSeedBackends},
       {"lock_contention",
        {{"lock", "posix_sem"}, {"cs_ns", "0"}, {"duration_ms", "100"}},
        {1},
        kSeedBackends},
       {"bank", {{"lock", "none,posix_sem"}, {"ops", "50000"}}, {2}, kSeedBackends},
       {"ipc_fanin",
        {{"channel", "shm_queue"}, {"size", "64"}, {"producers", "1"}, {"count", "5000"}},
        {5},
        kSeedBackends},
       {"proxy_store", {{"store", "proxy,shared"}, {"ops", "2000"}}, {3}, kSeedBackends},
       {"event", {{"mechanism", "condvar"}, {"rounds", "200"}}, {5}, kSeedBackends},
       {"semaphore",
        {{"mechanism", "posix_sem"}, {"k", "2"}, {"cs_ns", "1000"}, {"duration_ms", "100"}},
        {5},
        kSeedBackends},
       {"cpu_sum", {{"n", "2e7"}, {"scaling", "strong"}}, {}, kSeedBackends, {1, 2, 4}}},
      3,
      true};
}

}  // namespace

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
       "a regression-gate sample in about 6 s of cases whose figures hold still from one separate "
       "run to the next (parbench history noise): cpu_sum at 1 and 2 workers and a pipe round "
       "trip on one core; locks flip between throughput levels from run to run on a VM, even "
       "uncontended, so they are left to the locks suite and `parbench count`",
       {{"cpu_sum", {{"n", "1e8"}}, {1, 2}},
        {"ipc_pingpong",
         {{"channel", "pipe"}, {"size", "64"}, {"placement", "same_core"}, {"count", "20000"}},
         {}}}},
      multiprocessing_suite(),
  };
  // A program built against the installed package: its own workloads, with their defaults.
  static const std::vector<Suite> with_user = [] {
    std::vector<Suite> out = suites;
    Suite user{"user", "every workload this program registered itself", {}, 0};
    for (const auto& w : all_workloads()) {
      if (is_user_workload(w->name())) user.entries.emplace_back(std::string(w->name()));
    }
    if (!user.entries.empty()) out.push_back(std::move(user));
    return out;
  }();
  return with_user;
}

const Suite* find_suite(std::string_view name) {
  for (const auto& s : all_suites()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace parbench
