#include "spawn_methods.hpp"

#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "child_process.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

constexpr int kForkExitCode = 42;  // proves the child ran our code, not just died with 0

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_sys("waitpid");
  }
  return status;
}

void expect_exit(int status, int code, std::string_view method) {
  if (!WIFEXITED(status) || WEXITSTATUS(status) != code) {
    throw std::runtime_error(fmt::format("{}: child {} (expected exit status {})", method,
                                         describe_wait_status(status), code));
  }
}

}  // namespace

const std::vector<std::string>& spawn_methods() {
  static const std::vector<std::string> methods{"thread", "fork", "fork_exec", "posix_spawn"};
  return methods;
}

const char* trivial_program() { return "/bin/true"; }

void spawn_and_join(std::string_view method) {
  if (method == "thread") {
    volatile bool ran = false;
    std::thread t([&ran] { ran = true; });
    t.join();
    if (!ran) throw std::runtime_error("thread: joined but its body did not run");
  } else if (method == "fork") {
    const pid_t pid = check_sys(fork(), "fork");
    if (pid == 0) _exit(kForkExitCode);
    expect_exit(wait_for(pid), kForkExitCode, method);
  } else if (method == "fork_exec") {
    const pid_t pid = check_sys(fork(), "fork");
    if (pid == 0) {
      char* const argv[] = {const_cast<char*>(trivial_program()), nullptr};
      execv(trivial_program(), argv);
      _exit(127);
    }
    expect_exit(wait_for(pid), 0, method);
  } else if (method == "posix_spawn") {
    pid_t pid = 0;
    char* const argv[] = {const_cast<char*>(trivial_program()), nullptr};
    const int rc = posix_spawn(&pid, trivial_program(), nullptr, nullptr, argv, environ);
    if (rc != 0) throw_sys("posix_spawn", rc);
    expect_exit(wait_for(pid), 0, method);
  } else {
    throw std::invalid_argument(fmt::format("unknown spawn method '{}'", method));
  }
}

}  // namespace parbench
