#pragma once
// The parbench subcommands. Each registers its options on the CLI11 app and returns the function
// that runs it once the command line is parsed; that function returns the exit status.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace parbench::cli {

using Command = std::function<int()>;

Command add_list(CLI::App& app);
Command add_env(CLI::App& app);
// command_line: the whole command as typed, recorded in meta.json.
Command add_run(CLI::App& app, const std::string& command_line);
Command add_compare(CLI::App& app);
Command add_count(CLI::App& app);
Command add_report(CLI::App& app);
// What `parbench report PREFIX --scripts DIR --format FORMATS` does (run --report calls it): 0 when
// the report and its plots were written, 1 when no plot could be drawn (the report says why).
// Throws BadInput for a run that cannot be read.
int write_report(const std::string& prefix, const std::string& scripts_dir,
                 const std::string& formats);
Command add_merge(CLI::App& app);
Command add_clean(CLI::App& app);
Command add_limits(CLI::App& app);
Command add_history(CLI::App& app);
Command add_export(CLI::App& app);
// Reads the other subcommands from `app` when it runs: register it last.
Command add_completion(CLI::App& app);
// passthrough: the arguments after `--`, given to both sides.
Command add_ab(CLI::App& app, std::vector<std::string> passthrough);

}  // namespace parbench::cli
