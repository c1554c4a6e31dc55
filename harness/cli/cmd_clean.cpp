// parbench clean: removes what runs that were SIGKILLed left behind (strays.hpp). `run` does the
// same at its start; this is for a machine where no run follows.
#include <fmt/core.h>

#include "commands.hpp"
#include "strays.hpp"

namespace parbench::cli {

Command add_clean(CLI::App& app) {
  app.add_subcommand("clean",
                     "Remove FIFO directories, message queues and scratch directories left by "
                     "parbench runs that were killed (those of live runs are kept)");
  return [] {
    const auto removed = remove_strays();
    for (const auto& path : removed) fmt::print("removed {}\n", path);
    fmt::print("{} stray entr{} of dead parbench runs removed\n", removed.size(),
               removed.size() == 1 ? "y" : "ies");
    return 0;
  };
}

}  // namespace parbench::cli
