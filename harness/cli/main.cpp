// parbench: benchmarks and profiles parallel work on Linux. Exit status: 0 all cases ran (compare,
// ab: nothing regressed), 1 some case is an error row (compare, ab: something regressed), 2 bad
// input (nothing written), 3 a report could not be written (what was written is whole), 130
// interrupted (SIGINT, SIGTERM, SIGHUP). Output to standard output that is lost turns 0 or 1
// into 3.
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bad_input.hpp"
#include "channels/channel.hpp"
#include "commands.hpp"
#include "csv_writer.hpp"
#include "interrupt.hpp"
#include "parbench_main.hpp"
#include "registry.hpp"
#include "workload_roles.hpp"

namespace {

// 1024 workers need more descriptors (a pidfd each, channels' ends) than the usual soft limit of
// 1024: take what the hard limit allows, as a shell's `ulimit -n` would.
void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// CLI11's words for an option given twice or with the wrong count, in ours.
std::string explain_parse_error(const CLI::ParseError& e) {
  std::string what = e.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    const auto colon = what.find(':');
    const std::string option = colon == std::string::npos ? "an option" : what.substr(0, colon);
    if (what.find("At Most") != std::string::npos) {
      return fmt::format(
          "{} is given more than once; it takes one value (lists are "
          "comma-separated: --workers 1,2,4)",
          option);
    }
  }
  return what;
}

// `parbench ab ... -- ARGS`: ARGS go to the baseline and candidate binaries, not to CLI11; argc
// is cut before the `--`.
std::vector<std::string> ab_passthrough(int& argc, char** argv) {
  std::vector<std::string> passthrough;
  if (argc <= 1 || std::string_view(argv[1]) != "ab") return passthrough;
  for (int i = 2; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      passthrough.assign(argv + i + 1, argv + argc);
      argc = i;
      break;
    }
  }
  return passthrough;
}

// The command line parsed; an exit status when it asks for help, names no known command or is
// malformed.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  const auto known = app.get_subcommands([](const CLI::App*) { return true; });
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(known.begin(), known.end(),
                   [&](const CLI::App* c) { return c->get_name() == argv[1]; })) {
    std::vector<std::string> names;
    for (const CLI::App* c : known) names.push_back(c->get_name());
    fmt::print(stderr,
               "parbench: unknown command '{}'; expected one of {} (see 'parbench --help')\n",
               argv[1], fmt::join(names, ", "));
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr,
               "parbench: {}\nRun 'parbench --help' or 'parbench COMMAND --help' for usage.\n",
               explain_parse_error(e));
    return 2;
  }
  return std::nullopt;
}

// What the command printed to standard output is its product (export, list, compare's verdict,
// history show): when it could not all be written (a full disk, a closed pipe's EPIPE), a command
// that would have exited 0 or 1 exits 3, as for any report file it could not write.
int check_stdout(int status) {
  errno = 0;
  const bool flush_failed = std::fflush(stdout) != 0;
  const int err = flush_failed ? errno : 0;
  if ((!flush_failed && std::ferror(stdout) == 0) || (status != 0 && status != 1)) return status;
  fmt::print(stderr, "parbench: cannot write to standard output: {}\n",
             err != 0 ? std::strerror(err) : "a write failed");
  return 3;
}

int run_command(const parbench::cli::Command& command) {
  try {
    return command();
  } catch (const parbench::BadInput& e) {
    fmt::print(stderr, "parbench: {}\n", e.what());
    return 2;
  } catch (const parbench::ReportWriteError& e) {
    fmt::print(stderr, "parbench: cannot write the report: {}\n", e.what());
    return 3;
  } catch (const parbench::Interrupted&) {
    fmt::print(stderr, "parbench: interrupted by {}\n",
               parbench::signal_name(parbench::interrupt_signal()));
    return 130;
  } catch (const std::exception& e) {
    // fmt throws when a write to standard output fails: that is a lost report, not bad input.
    if (std::ferror(stdout) != 0) {
      fmt::print(stderr, "parbench: cannot write to standard output: {}\n", e.what());
      return 3;
    }
    fmt::print(stderr, "parbench: {}\n", e.what());
    return 2;
  }
}

int run_cli(int argc, char** argv) {
  // A file-size limit then fails the write (exit 3, the report whole) instead of killing us.
  signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, SIGTERM and SIGHUP: exit 130 in every command (run, count and ab then poll instead).
  parbench::install_exit_on_interrupt();
  raise_open_file_limit();
  CLI::App app{"parbench: benchmarks for parallelism on Linux (threads, processes, IPC, locks)",
               "parbench"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "parbench 0.1.0");
  const std::string command_line = fmt::format("{}", fmt::join(argv, argv + argc, " "));
  const std::vector<std::string> passthrough = ab_passthrough(argc, argv);
  using namespace parbench::cli;
  // Adding a subcommand: its file (cmd_NAME.cpp), its add_ in commands.hpp, one line here.
  const std::vector<std::pair<std::string, Command>> commands = {
      {"run", add_run(app, command_line)},
      {"list", add_list(app)},
      {"env", add_env(app)},
      {"compare", add_compare(app)},
      {"ab", add_ab(app, passthrough)},
      {"count", add_count(app)},
      {"report", add_report(app)},
      {"merge", add_merge(app)},
      {"clean", add_clean(app)},
      {"limits", add_limits(app)},
      {"history", add_history(app)},
      {"export", add_export(app)},
      {"completion", add_completion(app)},
  };
  if (const auto status = parse(app, argc, argv)) return check_stdout(*status);
  // A program's own workloads that clash with parbench's, or declare a parameter twice.
  if (const int status = run_command([] {
        parbench::check_workload_registry();
        // For reports written before workloads declared their roles in meta.json.
        parbench::WorkloadRoles known;
        for (const auto& w : parbench::all_workloads())
          known.add(std::string(w->name()), w->report_role());
        for (const auto& c : parbench::channels_across_hosts()) known.add_channel_across_hosts(c);
        parbench::WorkloadRoles::set_known(std::move(known));
        return 0;
      });
      status != 0)
    return status;
  for (const auto& [name, command] : commands) {
    if (app.got_subcommand(name)) return check_stdout(run_command(command));
  }
  return 2;  // require_subcommand(1) makes this unreachable
}

}  // namespace

namespace parbench::cli {

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (...) {
    // Only printing the message of an exception can get here (the terminal is gone).
    return 2;
  }
}

}  // namespace parbench::cli
