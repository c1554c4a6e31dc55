#pragma once
// Ctrl-C, SIGTERM and SIGHUP, the same for every command: exit status 130.
// - A command that runs workers (run, count, ab) polls a flag, so an interrupted run unwinds
//   normally: workers are killed and reaped, destructors remove shared objects, rows stay on disk.
// - Every other command ends at once with 130, after removing the temporary file it was writing
//   (register_scratch_file): a file it replaces is whole or as it was, never half.
#include <stdexcept>
#include <string>

namespace parbench {

// From the start of main: SIGINT/SIGTERM/SIGHUP end the process with status 130 at once.
void install_exit_on_interrupt();
// Installs SIGINT/SIGTERM/SIGHUP handlers that only set the flag (without SA_RESTART, so a
// blocking poll returns EINTR): the command polls interrupt_requested() and unwinds.
void install_interrupt_handlers();
[[nodiscard]] bool interrupt_requested();
// Throws Interrupted when a signal asked to stop: for loops that take long between polls.
void throw_if_interrupted();
// The signal that interrupted the run, or 0.
[[nodiscard]] int interrupt_signal();
// "SIGINT", "SIGHUP", ...; "signal N" for one without a name.
[[nodiscard]] std::string signal_name(int signal);
// For tests: behave as if a signal had arrived (or clear it with 0).
void set_interrupt_for_testing(int signal);

// A temporary file that an exit on a signal removes (paths up to 4095 bytes; a few at once).
// Returns a slot for unregister_scratch_file, or -1 when none is free (the file is then only
// removed by its writer).
int register_scratch_file(const std::string& path);
void unregister_scratch_file(int slot);

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace parbench
