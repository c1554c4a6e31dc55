// parbench env: the machine description that goes with every report.
#include <fmt/core.h>

#include <memory>

#include "commands.hpp"
#include "machine.hpp"
#include "report_meta.hpp"

namespace parbench::cli {

Command add_env(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "env", "Describe this machine: CPU, topology, caches, kernel, compiler, load");
  auto json = std::make_shared<bool>(false);
  auto fingerprint = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print the description as JSON (as in PREFIX.meta.json)");
  cmd->add_flag("--fingerprint", *fingerprint,
                "Print only this machine's fingerprint: CPU model, CPU count, kernel and build "
                "hashed (the name of its baselines in scripts/perf_gate.sh)");
  return [json, fingerprint] {
    const auto machine = describe_machine();
    if (*fingerprint) {
      fmt::print("{}\n", machine_fingerprint(machine));
      return 0;
    }
    fmt::print("{}", *json ? machine.dump(2) + "\n" : format_machine(machine));
    return 0;
  };
}

}  // namespace parbench::cli
