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
#include "named_registry.hpp"
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

void start_thread() {
  volatile bool ran = false;
  std::thread t([&ran] { ran = true; });
  t.join();
  if (!ran) throw std::runtime_error("thread: joined but its body did not run");
}

void start_fork() {
  const pid_t pid = check_sys(fork(), "fork");
  if (pid == 0) _exit(kForkExitCode);
  expect_exit(wait_for(pid), kForkExitCode, "fork");
}

void start_fork_exec() {
  const pid_t pid = check_sys(fork(), "fork");
  if (pid == 0) {
    char* const argv[] = {const_cast<char*>(trivial_program()), nullptr};
    execv(trivial_program(), argv);
    _exit(127);
  }
  expect_exit(wait_for(pid), 0, "fork_exec");
}

void start_posix_spawn() {
  pid_t pid = 0;
  char* const argv[] = {const_cast<char*>(trivial_program()), nullptr};
  const int rc = posix_spawn(&pid, trivial_program(), nullptr, nullptr, argv, environ);
  if (rc != 0) throw_sys("posix_spawn", rc);
  expect_exit(wait_for(pid), 0, "posix_spawn");
}

using SpawnMethod = NamedFunction<void()>;

const NamedRegistry<SpawnMethod>& spawn_registry() {
  static const NamedRegistry<SpawnMethod> methods{
      +[] { return std::make_unique<SpawnMethod>("thread", &start_thread); },
      +[] { return std::make_unique<SpawnMethod>("fork", &start_fork); },
      +[] { return std::make_unique<SpawnMethod>("fork_exec", &start_fork_exec); },
      +[] { return std::make_unique<SpawnMethod>("posix_spawn", &start_posix_spawn); }};
  return methods;
}

}  // namespace

const std::vector<std::string>& spawn_methods() {
  static const std::vector<std::string> names = spawn_registry().names();
  return names;
}

const char* trivial_program() { return "/bin/true"; }

void spawn_and_join(std::string_view method) {
  const SpawnMethod* m = spawn_registry().find(method);
  if (m == nullptr) {
    throw std::invalid_argument(
        fmt::format("unknown spawn method '{}'; expected {}", method, spawn_registry().choices()));
  }
  (*m)();
}

}  // namespace parbench
