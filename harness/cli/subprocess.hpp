#pragma once
// What the subcommands that drive other programs share (ab runs parbench twice, count runs it under
// valgrind, report runs the plot scripts).
#include <string>
#include <vector>

namespace parbench::cli {

// Runs argv (argv[0] searched in PATH) to completion. Its stdout and stderr go to the file
// `output` (truncated) when one is given; otherwise its stdout goes to our stderr, keeping our
// stdout for our own result. Returns the exit status, 128 + signal, or 127 if it could not start.
int run_and_wait(const std::vector<std::string>& argv, const std::string& output = "");

}  // namespace parbench::cli
