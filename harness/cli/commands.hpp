#pragma once
// The parbench subcommands. Each registers its options on the CLI11 app and returns the function
// that runs it once the command line is parsed; that function returns the exit status.
#include <CLI/CLI.hpp>
#include <functional>

namespace parbench::cli {

using Command = std::function<int()>;

Command add_list(CLI::App& app);
Command add_env(CLI::App& app);
Command add_run(CLI::App& app, int argc, char** argv);

}  // namespace parbench::cli
