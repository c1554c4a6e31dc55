#pragma once
// How workers are started: the bottom of the harness, below workloads and the runner.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string_view>
#include <vector>

#include "child_process.hpp"

namespace parbench {

// Filled in by launch(), in shared memory: when the first worker began to start, and why a worker
// could not be started (empty when every worker was).
struct LaunchRecord {
  std::int64_t launch_ns = 0;
  char error[256] = {};

  void fail(std::string_view why) {
    std::snprintf(error, sizeof error, "%.*s", static_cast<int>(why.size()), why.data());
  }
  [[nodiscard]] bool failed() const { return error[0] != '\0'; }
};

// Starts N workers as threads or processes. It does nothing else: gate, pinning, timing, timeouts
// and fault handling are the same for every launcher and live in run_workers.
class WorkerLauncher {
 public:
  WorkerLauncher() = default;
  virtual ~WorkerLauncher() = default;
  WorkerLauncher(const WorkerLauncher&) = delete;
  WorkerLauncher& operator=(const WorkerLauncher&) = delete;

  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view description() const = 0;

  // Starts `workers` workers, worker i running entry(i) once; entry never throws. Fills *record
  // (shared memory): the time the first worker began to start and, when a worker cannot be
  // started inside a process already returned, why. Returns the processes to supervise: one per
  // worker, or one holding all of them. Throws when a process cannot be started.
  [[nodiscard]] virtual std::vector<ChildProcess> launch(int workers,
                                                         const std::function<void(int)>& entry,
                                                         LaunchRecord* record) const = 0;
  // True when launch() returns one process per worker, in worker order.
  [[nodiscard]] virtual bool process_per_worker() const = 0;
};

// std::jthread workers in one sandbox process, and one fork()ed process per worker.
const WorkerLauncher& thread_launcher();
const WorkerLauncher& process_launcher();
// Both, in that order.
std::vector<const WorkerLauncher*> all_launchers();

}  // namespace parbench
