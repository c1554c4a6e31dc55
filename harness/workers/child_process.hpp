#pragma once
// A forked child owned by the parent: killed and reaped in the destructor, so no path (exception,
// timeout, Ctrl-C) leaves a zombie or an orphan. The child dies with its parent (PR_SET_PDEATHSIG).
#include <sys/resource.h>
#include <sys/types.h>

#include <functional>
#include <string>

namespace parbench {

class ChildProcess {
 public:
  // Forks; the child resets signal handling, runs body() and _exits with its return value (1 if it
  // throws). _exit, not exit: the child must not flush the parent's stdio buffers or run its
  // atexit.
  static ChildProcess fork_and_run(const std::function<int()>& body);

  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  // Readable (POLLIN) once the child has exited.
  // A descriptor that polls readable when the child exits; -1 where pidfd_open is missing
  // (kernels before 5.3, valgrind): then ask has_exited().
  [[nodiscard]] int pidfd() const { return pidfd_; }
  // The child has exited (it is not reaped: reap() collects the status).
  [[nodiscard]] bool has_exited() const;
  [[nodiscard]] bool running() const { return pid_ > 0; }

  // Blocks until the child exits and returns its wait status; usage gets its resource usage.
  int reap(rusage* usage = nullptr);
  // SIGKILL then reap. Safe to call on a child that has already exited.
  int kill_and_reap();

 private:
  ChildProcess(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
  void release();
  void kill_quietly() noexcept;
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

// "exited with status 3", "killed by signal 11 (Segmentation fault)".
std::string describe_wait_status(int status);
[[nodiscard]] bool exited_cleanly(int status);

}  // namespace parbench
