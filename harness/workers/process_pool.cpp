// The process pools: forked workers that live across tasks, each chunk handed over in shared
// memory and announced over a socket, a dead worker replaced; and fresh_process, a process forked
// for every chunk.
#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>

#include "child_process.hpp"
#include "pool_kinds.hpp"
#include "shared_memory.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace parbench::pool_detail {
namespace {

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
      Watch watch = watch_workers();
      if (watch.fds.empty() && !watch.blind) return;  // nothing running: the caller dispatches
      const int n = poll(watch.fds.data(), watch.fds.size(), watch.blind ? 1 : -1);
      if (n < 0 && errno != EINTR) throw_sys("poll");
      const std::vector<std::size_t> exited = read_events(watch, out);
      for (std::size_t k : exited) {
        // POLLHUP can come a moment before the process is gone; reap() waits for it.
        if (workers_[k].proc.running()) on_exit(k, out, queued);
      }
      if (!exited.empty() && out.empty()) return;  // requeued work: dispatch it
    }
  }

  // What to poll: each running worker's socket and pidfd.
  struct Watch {
    std::vector<pollfd> fds;
    std::vector<std::pair<std::size_t, bool>> who;  // worker, is its pidfd
    bool blind = false;                             // a worker without a pidfd (valgrind)
  };

  Watch watch_workers() const {
    Watch w;
    for (std::size_t k = 0; k < workers_.size(); ++k) {
      const Worker& worker = workers_[k];
      if (!worker.proc.running()) continue;
      if (worker.sock.get() >= 0) {
        w.fds.push_back({worker.sock.get(), POLLIN, 0});
        w.who.emplace_back(k, false);
      }
      if (worker.proc.pidfd() >= 0) {
        w.fds.push_back({worker.proc.pidfd(), POLLIN, 0});
        w.who.emplace_back(k, true);
      } else {
        w.blind = true;
      }
    }
    return w;
  }

  // Takes the results a poll announced; returns the workers that exited (sorted, once each).
  std::vector<std::size_t> read_events(const Watch& watch, std::vector<Outcome>& out) {
    std::vector<std::size_t> exited;
    for (std::size_t i = 0; i < watch.fds.size(); ++i) {
      if (watch.fds[i].revents == 0) continue;
      const auto [k, is_pidfd] = watch.who[i];
      if (!is_pidfd) on_message(k, out);
      if (is_pidfd || (watch.fds[i].revents & (POLLHUP | POLLERR)) != 0) exited.push_back(k);
    }
    for (std::size_t k = 0; watch.blind && k < workers_.size(); ++k) {
      const ChildProcess& proc = workers_[k].proc;
      if (proc.running() && proc.pidfd() < 0 && proc.has_exited()) exited.push_back(k);
    }
    std::sort(exited.begin(), exited.end());
    exited.erase(std::unique(exited.begin(), exited.end()), exited.end());
    return exited;
  }

  bool fresh_;
  int replaced_ = 0;
  std::vector<Worker> workers_;
};

}  // namespace

std::unique_ptr<Pool> make_process_pool(int workers, bool fresh) {
  return std::make_unique<ProcessPool>(workers, fresh);
}

}  // namespace parbench::pool_detail
