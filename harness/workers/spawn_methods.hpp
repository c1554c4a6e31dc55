#pragma once
// The ways to start and join one unit of execution, for the `spawn` workload to time. They live in
// the harness because workloads never fork or start threads themselves.
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

// thread: std::thread + join; fork: fork + _exit + waitpid; fork_exec: fork + execv of a trivial
// program + waitpid; posix_spawn: posix_spawn of that program + waitpid.
const std::vector<std::string>& spawn_methods();

// The trivial program that fork_exec and posix_spawn run (/bin/true).
const char* trivial_program();

// Starts one unit with `method`, waits for it, and checks it ran (the thread set its flag, the
// child exited with the expected status). Throws std::runtime_error naming what went wrong.
void spawn_and_join(std::string_view method);

}  // namespace parbench
