#pragma once
// A backend starts N workers. It does nothing else: gate, pinning, timing, timeouts and fault
// handling are the same for every backend and live in run_workers.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
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

class Backend {
 public:
  Backend() = default;
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

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
  // "thread" or "process" for a backend that runs a workload's Python version instead of launching
  // C++ workers (python_backend.hpp; launch() is never called); empty for the C++ backends.
  [[nodiscard]] virtual std::string_view python_mode() const { return {}; }
  // True for the mpi backend: one worker per MPI rank (mpi_runner.hpp; launch() is never called).
  [[nodiscard]] virtual bool is_mpi() const { return false; }
};

// The C++ backends, thread and process: what runs when no --backend is given.
const std::vector<std::unique_ptr<Backend>>& all_backends();
// py_thread and py_process, run only when asked for by name (or by a suite).
const std::vector<std::unique_ptr<Backend>>& python_backends();
// mpi: one worker per rank of an mpirun job, only when named.
const std::vector<std::unique_ptr<Backend>>& mpi_backends();
// Any kind; nullptr when no backend has that name.
const Backend* find_backend(std::string_view name);

}  // namespace parbench
