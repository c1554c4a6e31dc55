#pragma once
// Worker pools that live across tasks, as Python's multiprocessing.Pool and ThreadPool: map with a
// chunksize, starmap, and apply_async with a result callback and an error callback.
//
//   thread         worker threads take chunks from one shared queue (mutex + condition variable)
//   process        forked worker processes; each chunk travels in shared memory, announced over a
//                  socket; a worker that dies is replaced
//   fresh_process  no pool: every chunk runs in a process forked for it (multiprocessing.Process
//                  per task), the cost a pool saves
//
// A task is a plain function pointer with up to four integer arguments. Pool processes are forks of
// the caller, so a function's address (and any shared-memory pointer passed as an argument) is
// valid in every worker; that is what Python's pickling of a function by name achieves.
//
// Every submitted task ends in exactly one callback: its result, or an error naming why (the
// exception a task threw, or, in a process, that the worker died running it and how). A task is
// never run twice: tasks a dead worker had not started go to another worker; the one it was running
// is reported as failed. Callbacks run in the thread that calls join() (or map), one at a time, as
// in Python's result-handler thread.
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parbench {

inline constexpr int kMaxTaskArgs = 4;
using TaskFn = std::int64_t (*)(std::span<const std::int64_t> args);

struct Task {
  TaskFn fn = nullptr;
  std::array<std::int64_t, kMaxTaskArgs> args{};
  int nargs = 0;
};

using ResultCallback = std::function<void(std::int64_t value)>;
using ErrorCallback = std::function<void(const std::string& reason)>;

// map and starmap: the first failed task, by input position, once every task has ended.
class TaskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The pools by name: thread, process, fresh_process (pool_kinds.hpp has their makers).
const std::vector<std::string>& pool_kinds();

class Pool {
 public:
  // Starts `workers` workers (1 to 1024) of the pool named `kind` (one of pool_kinds()).
  // fresh_process starts none until tasks arrive and then runs up to `workers` at a time. Throws
  // std::invalid_argument for another name or count.
  static std::unique_ptr<Pool> make(std::string_view kind, int workers);

  // Stops the workers and reaps every process: gracefully once every task has ended, by SIGKILL
  // when some are still out (an exception left join).
  virtual ~Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Queues one task; its callback runs during a later join().
  void apply_async(const Task& task, ResultCallback on_result, ErrorCallback on_error);
  // fn(inputs[i]) for every i, in input order, chunksize tasks per hand-over; chunksize <= 0 picks
  // Python's default, ceil(n / (4 * workers)). Throws TaskError if any task failed.
  std::vector<std::int64_t> map(TaskFn fn, std::span<const std::int64_t> inputs, int chunksize);
  // fn(args[i]...) for every argument tuple (at most kMaxTaskArgs values each).
  std::vector<std::int64_t> starmap(TaskFn fn, std::span<const std::vector<std::int64_t>> args,
                                    int chunksize);
  // Returns once every task submitted so far has ended in its callback.
  void join();

  [[nodiscard]] int workers() const { return workers_; }
  // Processes that died and were replaced (process pools); 0 for the others.
  [[nodiscard]] virtual int replaced_workers() const { return 0; }
  // The worker processes alive now (process pools); empty for the others.
  [[nodiscard]] virtual std::vector<pid_t> worker_pids() const { return {}; }

 protected:
  struct Chunk {
    std::vector<Task> tasks;
    std::vector<std::uint64_t> ids;  // one per task
  };
  struct Outcome {
    std::uint64_t id = 0;
    bool ok = false;
    std::int64_t value = 0;
    std::string error;
  };

  explicit Pool(int workers) : workers_(workers) {}
  // Hands queued chunks to workers that can take them (take from the front of `queued`).
  virtual void dispatch(std::deque<Chunk>& queued) = 0;
  // Blocks until at least one task has ended; appends the outcomes. A chunk that must run again
  // (its worker died before starting it) goes back into `queued`.
  virtual void collect(std::vector<Outcome>& out, std::deque<Chunk>& queued) = 0;
  [[nodiscard]] bool tasks_outstanding() const { return !callbacks_.empty(); }

 private:
  void submit(std::vector<Task> tasks, std::vector<std::pair<ResultCallback, ErrorCallback>> cbs,
              int chunksize);
  std::vector<std::int64_t> run_all(std::vector<Task> tasks, int chunksize);

  int workers_;
  std::uint64_t next_id_ = 1;
  std::deque<Chunk> queued_;
  std::unordered_map<std::uint64_t, std::pair<ResultCallback, ErrorCallback>> callbacks_;
};

}  // namespace parbench
