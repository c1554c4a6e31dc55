#include "child_process.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <utility>

#include "sys_error.hpp"

namespace parbench {
namespace {

// A worker must die of its own signal, so that the report names it: handlers the parent installed
// (parbench's interrupt flag, a test framework's or a sanitizer's crash handler) are reset.
void reset_signals_in_child() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                  SIGABRT, SIGTRAP, SIGSYS}) {
    sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

ChildProcess ChildProcess::fork_and_run(const std::function<int()>& body) {
  const pid_t parent = getpid();
  std::fflush(nullptr);  // or the child inherits, and may write out, a copy of unwritten output
  const pid_t pid = check_sys(fork(), "fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    reset_signals_in_child();
    int rc = 1;
    try {
      rc = body();
    } catch (...) {
      rc = 1;
    }
    _exit(rc);
  }
  // The raw syscall: glibc 2.36 declares pidfd_open without C linkage for C++ callers.
  const auto fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  // ENOSYS: a kernel before 5.3, or valgrind (parbench count), which does not know the call. The
  // child then has no pidfd and supervisors poll it with has_exited() instead.
  if (fd < 0 && errno != ENOSYS) {
    const int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    throw_sys("pidfd_open", err);
  }
  return {pid, fd};
}

ChildProcess::~ChildProcess() { kill_quietly(); }

void ChildProcess::kill_quietly() noexcept {
  try {
    if (running()) kill_and_reap();
  } catch (const std::exception&) {
    // wait4 failed for a reason other than EINTR (the child was reaped elsewhere): nothing
    // is left to kill, and a destructor must not throw.
    pid_ = -1;
  }
  release();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::exchange(other.pidfd_, -1)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_quietly();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
  }
  return *this;
}

void ChildProcess::release() {
  if (pidfd_ >= 0) close(pidfd_);
  pidfd_ = -1;
}

int ChildProcess::reap(rusage* usage) {
  int status = 0;
  rusage ignored{};
  while (wait4(pid_, &status, 0, usage != nullptr ? usage : &ignored) < 0) {
    if (errno != EINTR) throw_sys("wait4");
  }
  pid_ = -1;
  release();
  return status;
}

bool ChildProcess::has_exited() const {
  if (!running()) return true;
  siginfo_t info{};
  // WNOWAIT: look without reaping; reap() collects the status.
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == pid_;
}

int ChildProcess::kill_and_reap() {
  if (!running()) return 0;
  kill(pid_, SIGKILL);
  return reap();
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return fmt::format("killed by signal {} (SIG{}: {})", sig, name != nullptr ? name : "?",
                       strsignal(sig));
  }
  return fmt::format("ended with wait status {:#x}", status);
}

bool exited_cleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

}  // namespace parbench
