#include "pool.hpp"

#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "child_process.hpp"
#include "shared_memory.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace parbench {
namespace {

// At most this many tasks go to a worker in one hand-over; a larger chunksize is split.
constexpr std::size_t kSlotTasks = 256;
constexpr std::size_t kErrorText = 160;

std::string run_task(const Task& t, std::int64_t& value) {
  try {
    value = t.fn(std::span<const std::int64_t>(t.args.data(), static_cast<std::size_t>(t.nargs)));
    return {};
  } catch (const std::exception& e) {
    return e.what()[0] != '\0' ? e.what() : "an exception without a message";
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

// ---- thread pool ----

class ThreadPool final : public Pool {
 public:
  explicit ThreadPool(int workers) : Pool(workers) {
    threads_.reserve(static_cast<std::size_t>(workers));
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~ThreadPool() override {
    {
      std::lock_guard lock(m_);
      queue_.clear();  // tasks not started are dropped; threads cannot be killed mid-task
      stop_ = true;
    }
    task_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

 private:
  void dispatch(std::deque<Chunk>& queued) override {
    std::size_t handed = 0;
    {
      std::lock_guard lock(m_);
      for (; !queued.empty(); queued.pop_front(), ++handed)
        queue_.push_back(std::move(queued.front()));
    }
    for (std::size_t i = 0; i < handed; ++i) task_cv_.notify_one();
  }

  void collect(std::vector<Outcome>& out, std::deque<Chunk>& /*queued*/) override {
    std::unique_lock lock(m_);
    done_cv_.wait(lock, [this] { return !done_.empty(); });
    for (auto& o : done_) out.push_back(std::move(o));
    done_.clear();
  }

  void loop() {
    std::unique_lock lock(m_);
    for (;;) {
      task_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      Chunk c = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::vector<Outcome> results(c.tasks.size());
      for (std::size_t i = 0; i < c.tasks.size(); ++i) {
        results[i].id = c.ids[i];
        results[i].error = run_task(c.tasks[i], results[i].value);
        results[i].ok = results[i].error.empty();
      }
      lock.lock();
      for (auto& r : results) done_.push_back(std::move(r));
      done_cv_.notify_one();
    }
  }

  std::mutex m_;
  std::condition_variable task_cv_, done_cv_;
  std::deque<Chunk> queue_;
  std::vector<Outcome> done_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// ---- process pools ----

// One hand-over: the tasks in, the results out. Lives in memory shared with the worker, so what a
// worker finished before it died is still there to read.
struct Slot {
  std::uint32_t count = 0;
  std::uint32_t completed = 0;  // tasks finished, results written (release)
  Task tasks[kSlotTasks];
  std::int64_t values[kSlotTasks];
  std::uint8_t failed[kSlotTasks];
  char errors[kSlotTasks][kErrorText];
};

struct Slab {
  std::int32_t running = -1;  // slot * kSlotTasks + task index while a task runs, else -1
  Slot slots[2];              // two hand-overs per worker: the next one waits while one runs
};

std::uint32_t load_acquire(std::uint32_t& v) {
  return std::atomic_ref<std::uint32_t>(v).load(std::memory_order_acquire);
}
void store_release(std::uint32_t& v, std::uint32_t x) {
  std::atomic_ref<std::uint32_t>(v).store(x, std::memory_order_release);
}
void store_running(Slab& slab, std::int32_t x) {
  std::atomic_ref<std::int32_t>(slab.running).store(x, std::memory_order_release);
}

void run_slot(Slab& slab, std::uint8_t idx) {
  Slot& s = slab.slots[idx];
  for (std::uint32_t i = 0; i < s.count; ++i) {
    store_running(slab, static_cast<std::int32_t>(idx * kSlotTasks + i));
    const std::string error = run_task(s.tasks[i], s.values[i]);
    s.failed[i] = error.empty() ? 0 : 1;
    if (!error.empty()) {
      const std::size_t n = std::min(error.size(), kErrorText - 1);
      std::memcpy(s.errors[i], error.data(), n);
      s.errors[i][n] = '\0';
    }
    store_release(s.completed, i + 1);
  }
  store_running(slab, -1);
}

// A persistent worker: run the slot each message names, answer with the same byte; end when the
// coordinator shuts the socket.
int worker_main(int fd, Slab& slab) {
  for (;;) {
    std::uint8_t idx = 0;
    const ssize_t n = recv(fd, &idx, 1, 0);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    run_slot(slab, idx);
    if (send(fd, &idx, 1, MSG_NOSIGNAL) != 1) return 0;
  }
}

class ProcessPool final : public Pool {
 public:
  ProcessPool(int workers, bool fresh) : Pool(workers), fresh_(fresh) {
    workers_.resize(static_cast<std::size_t>(workers));
    for (auto& w : workers_) {
      w.region.emplace(sizeof(Slab));
      w.slab = new (w.region->data()) Slab();
    }
    if (!fresh_) {
      for (std::size_t k = 0; k < workers_.size(); ++k) start(k, std::nullopt);
    }
  }

  ~ProcessPool() override {
    const bool graceful = !tasks_outstanding();
    for (auto& w : workers_) {
      if (w.sock.get() >= 0) shutdown(w.sock.get(), SHUT_RDWR);  // every copy of it reads EOF
      w.sock.reset();
    }
    for (auto& w : workers_) {
      if (!w.proc.running()) continue;
      if (graceful && w.proc.pidfd() >= 0) {
        pollfd p{w.proc.pidfd(), POLLIN, 0};
        if (poll(&p, 1, 5000) == 1) {
          w.proc.reap();
          continue;
        }
      }
      w.proc.kill_and_reap();
    }
  }
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  [[nodiscard]] int replaced_workers() const override { return replaced_; }
  [[nodiscard]] std::vector<pid_t> worker_pids() const override {
    std::vector<pid_t> pids;
    for (const auto& w : workers_) {
      if (w.proc.running()) pids.push_back(w.proc.pid());
    }
    return pids;
  }

 private:
  struct Worker {
    ChildProcess proc;
    UniqueFd sock;  // the coordinator's end (persistent workers only)
    std::optional<SharedRegion> region;
    Slab* slab = nullptr;
    std::deque<std::pair<std::uint8_t, Chunk>> in_flight;  // in the order handed over
  };

  static void fill(Slot& s, const Chunk& c) {
    s.count = static_cast<std::uint32_t>(c.tasks.size());
    store_release(s.completed, 0);
    std::copy(c.tasks.begin(), c.tasks.end(), s.tasks);
  }

  // Forks worker k. A fresh worker gets its one chunk in slot 0 and exits after it.
  void start(std::size_t k, std::optional<Chunk> only) {
    Worker& w = workers_[k];
    w.slab->running = -1;
    for (auto& s : w.slab->slots) s.count = s.completed = 0;
    if (only) {
      fill(w.slab->slots[0], *only);
      w.in_flight.emplace_back(0, std::move(*only));
    }
    int sv[2] = {-1, -1};
    if (!fresh_) check_sys(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
    UniqueFd mine(sv[0]), theirs(sv[1]);
    std::vector<int> close_in_child;
    for (const auto& other : workers_) {
      if (other.sock.get() >= 0) close_in_child.push_back(other.sock.get());
    }
    Slab& slab = *w.slab;
    const int fd = theirs.get();
    const bool fresh = fresh_;
    w.proc = ChildProcess::fork_and_run([&slab, fd, fresh, &close_in_child, &mine] {
      for (int other : close_in_child) ::close(other);  // or a sibling's EOF never comes
      if (fresh) {
        run_slot(slab, 0);
        return 0;
      }
      ::close(mine.get());
      return worker_main(fd, slab);
    });
    w.sock = std::move(mine);
  }

  void dispatch(std::deque<Chunk>& queued) override {
    if (fresh_) {
      for (std::size_t k = 0; k < workers_.size() && !queued.empty(); ++k) {
        if (workers_[k].proc.running()) continue;
        Chunk c = std::move(queued.front());
        queued.pop_front();
        start(k, std::move(c));
      }
      return;
    }
    // Every idle worker gets a chunk first, then each gets a second to start on when it finishes.
    for (std::size_t depth = 1; depth <= 2; ++depth) {
      for (auto& w : workers_) {
        if (queued.empty()) return;
        if (w.in_flight.size() >= depth || !w.proc.running()) continue;
        const std::uint8_t idx = w.in_flight.empty() ? 0 : 1 - w.in_flight.back().first;
        fill(w.slab->slots[idx], queued.front());
        w.in_flight.emplace_back(idx, std::move(queued.front()));
        queued.pop_front();
        // A worker that died meanwhile does not read it; collect() finds the death and requeues.
        (void)send(w.sock.get(), &idx, 1, MSG_NOSIGNAL);
      }
    }
  }

  static void emit(const Slot& s, const Chunk& c, std::size_t from, std::size_t to,
                   std::vector<Outcome>& out) {
    for (std::size_t i = from; i < to; ++i) {
      Outcome o;
      o.id = c.ids[i];
      o.ok = s.failed[i] == 0;
      o.value = s.values[i];
      if (!o.ok) o.error = s.errors[i];
      out.push_back(std::move(o));
    }
  }

  // Worker k has exited: report what it finished, fail the task it was running, requeue the rest,
  // and (for a persistent pool) start its replacement.
  void on_exit(std::size_t k, std::vector<Outcome>& out, std::deque<Chunk>& queued) {
    Worker& w = workers_[k];
    const pid_t pid = w.proc.pid();
    const int status = w.proc.reap();
    w.sock.reset();
    const std::int32_t running =
        std::atomic_ref<std::int32_t>(w.slab->running).load(std::memory_order_acquire);
    std::vector<Chunk> again;
    for (auto& [idx, chunk] : w.in_flight) {
      const Slot& s = w.slab->slots[idx];
      const std::size_t done =
          std::min<std::size_t>(load_acquire(w.slab->slots[idx].completed), chunk.tasks.size());
      emit(s, chunk, 0, done, out);
      std::size_t rest = done;
      if (done < chunk.tasks.size() &&
          running == static_cast<std::int32_t>(idx * kSlotTasks + done)) {
        Outcome o;
        o.id = chunk.ids[done];
        o.error = fmt::format("the worker process {} died running this task: {}", pid,
                              describe_wait_status(status));
        out.push_back(std::move(o));
        ++rest;
      }
      if (rest < chunk.tasks.size()) {
        Chunk c;
        c.tasks.assign(chunk.tasks.begin() + static_cast<std::ptrdiff_t>(rest), chunk.tasks.end());
        c.ids.assign(chunk.ids.begin() + static_cast<std::ptrdiff_t>(rest), chunk.ids.end());
        again.push_back(std::move(c));
      }
    }
    w.in_flight.clear();
    std::for_each(again.rbegin(), again.rend(),
                  [&](Chunk& item) { queued.push_front(std::move(item)); });
    if (!fresh_) {
      ++replaced_;
      start(k, std::nullopt);
    }
  }

  void on_message(std::size_t k, std::vector<Outcome>& out) {
    Worker& w = workers_[k];
    std::uint8_t idx = 0;
    while (recv(w.sock.get(), &idx, 1, MSG_DONTWAIT) == 1) {
      if (w.in_flight.empty() || w.in_flight.front().first != idx) continue;  // cannot happen
      const Chunk& c = w.in_flight.front().second;
      emit(w.slab->slots[idx], c, 0, c.tasks.size(), out);
      w.in_flight.pop_front();
    }
  }

  void collect(std::vector<Outcome>& out, std::deque<Chunk>& queued) override {
    while (out.empty()) {
      std::vector<pollfd> fds;
      std::vector<std::pair<std::size_t, bool>> who;  // worker, is its pidfd
      bool blind = false;                             // a worker without a pidfd (valgrind)
      for (std::size_t k = 0; k < workers_.size(); ++k) {
        const Worker& w = workers_[k];
        if (!w.proc.running()) continue;
        if (w.sock.get() >= 0) {
          fds.push_back({w.sock.get(), POLLIN, 0});
          who.emplace_back(k, false);
        }
        if (w.proc.pidfd() >= 0) {
          fds.push_back({w.proc.pidfd(), POLLIN, 0});
          who.emplace_back(k, true);
        } else {
          blind = true;
        }
      }
      if (fds.empty() && !blind) return;  // nothing running: the caller dispatches again
      const int n = poll(fds.data(), fds.size(), blind ? 1 : -1);
      if (n < 0 && errno != EINTR) throw_sys("poll");
      std::vector<std::size_t> exited;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        const auto [k, is_pidfd] = who[i];
        if (!is_pidfd) on_message(k, out);
        if (is_pidfd || (fds[i].revents & (POLLHUP | POLLERR)) != 0) exited.push_back(k);
      }
      if (blind) {
        for (std::size_t k = 0; k < workers_.size(); ++k) {
          if (workers_[k].proc.running() && workers_[k].proc.pidfd() < 0 &&
              workers_[k].proc.has_exited())
            exited.push_back(k);
        }
      }
      std::sort(exited.begin(), exited.end());
      exited.erase(std::unique(exited.begin(), exited.end()), exited.end());
      for (std::size_t k : exited) {
        // POLLHUP can come a moment before the process is gone; reap() waits for it.
        if (workers_[k].proc.running()) on_exit(k, out, queued);
      }
      if (!exited.empty() && out.empty()) return;  // requeued work: dispatch it
    }
  }

  bool fresh_;
  int replaced_ = 0;
  std::vector<Worker> workers_;
};

}  // namespace

const std::vector<std::string>& pool_kinds() {
  static const std::vector<std::string> kinds{"thread", "process", "fresh_process"};
  return kinds;
}

PoolKind parse_pool_kind(std::string_view name) {
  if (name == "thread") return PoolKind::Thread;
  if (name == "process") return PoolKind::Process;
  if (name == "fresh_process") return PoolKind::FreshProcess;
  throw std::invalid_argument(
      fmt::format("unknown pool '{}'; expected thread, process or fresh_process", name));
}

std::unique_ptr<Pool> Pool::make(PoolKind kind, int workers) {
  if (workers < 1 || workers > 1024) {
    throw std::invalid_argument(fmt::format("a pool of {} workers; expected 1 to 1024", workers));
  }
  switch (kind) {
    case PoolKind::Thread:
      return std::make_unique<ThreadPool>(workers);
    case PoolKind::Process:
      return std::make_unique<ProcessPool>(workers, false);
    case PoolKind::FreshProcess:
      return std::make_unique<ProcessPool>(workers, true);
  }
  return nullptr;
}

void Pool::submit(std::vector<Task> tasks,
                  std::vector<std::pair<ResultCallback, ErrorCallback>> cbs, int chunksize) {
  for (const auto& t : tasks) {
    if (t.fn == nullptr) throw std::invalid_argument("a pool task without a function");
    if (t.nargs < 0 || t.nargs > kMaxTaskArgs) {
      throw std::invalid_argument(
          fmt::format("a pool task with {} arguments; at most {}", t.nargs, kMaxTaskArgs));
    }
  }
  const std::size_t n = tasks.size();
  if (chunksize <= 0) {  // Python's Pool.map default
    const auto four_per_worker = 4 * static_cast<std::size_t>(workers_);
    chunksize =
        static_cast<int>(std::max<std::size_t>(1, (n + four_per_worker - 1) / four_per_worker));
  }
  const std::size_t step = std::min<std::size_t>(static_cast<std::size_t>(chunksize), kSlotTasks);
  for (std::size_t at = 0; at < n; at += step) {
    Chunk c;
    for (std::size_t i = at; i < std::min(n, at + step); ++i) {
      const std::uint64_t id = next_id_++;
      c.tasks.push_back(tasks[i]);
      c.ids.push_back(id);
      callbacks_.emplace(id, std::move(cbs[i]));
    }
    queued_.push_back(std::move(c));
  }
}

void Pool::apply_async(const Task& task, ResultCallback on_result, ErrorCallback on_error) {
  std::vector<std::pair<ResultCallback, ErrorCallback>> cbs;
  cbs.emplace_back(std::move(on_result), std::move(on_error));
  submit({task}, std::move(cbs), 1);
}

void Pool::join() {
  std::vector<Outcome> out;
  while (!callbacks_.empty()) {
    dispatch(queued_);
    out.clear();
    collect(out, queued_);
    for (auto& o : out) {
      const auto it = callbacks_.find(o.id);
      if (it == callbacks_.end()) continue;
      const auto cb = std::move(it->second);
      callbacks_.erase(it);
      if (o.ok) {
        if (cb.first) cb.first(o.value);
      } else if (cb.second) {
        cb.second(o.error);
      }
    }
  }
}

std::vector<std::int64_t> Pool::run_all(std::vector<Task> tasks, int chunksize) {
  const std::size_t n = tasks.size();
  std::vector<std::int64_t> results(n);
  std::size_t first_failed = n;
  std::string why;
  std::vector<std::pair<ResultCallback, ErrorCallback>> cbs;
  cbs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    cbs.emplace_back([&results, i](std::int64_t v) { results[i] = v; },
                     [&first_failed, &why, i](const std::string& e) {
                       if (i < first_failed) {
                         first_failed = i;
                         why = e;
                       }
                     });
  }
  submit(std::move(tasks), std::move(cbs), chunksize);
  join();
  if (first_failed < n) {
    throw TaskError(fmt::format("task {} of {} failed: {}", first_failed, n, why));
  }
  return results;
}

std::vector<std::int64_t> Pool::map(TaskFn fn, std::span<const std::int64_t> inputs,
                                    int chunksize) {
  std::vector<Task> tasks(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    tasks[i].fn = fn;
    tasks[i].args[0] = inputs[i];
    tasks[i].nargs = 1;
  }
  return run_all(std::move(tasks), chunksize);
}

std::vector<std::int64_t> Pool::starmap(TaskFn fn, std::span<const std::vector<std::int64_t>> args,
                                        int chunksize) {
  std::vector<Task> tasks(args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].size() > static_cast<std::size_t>(kMaxTaskArgs)) {
      throw std::invalid_argument(fmt::format(
          "starmap: argument tuple {} has {} values; at most {}", i, args[i].size(), kMaxTaskArgs));
    }
    tasks[i].fn = fn;
    std::copy(args[i].begin(), args[i].end(), tasks[i].args.begin());
    tasks[i].nargs = static_cast<int>(args[i].size());
  }
  return run_all(std::move(tasks), chunksize);
}

}  // namespace parbench
