#pragma once
// Ctrl-C, SIGTERM and SIGHUP become a flag that the supervision loops poll, so an interrupted run
// unwinds normally: workers are killed and reaped, destructors remove shared objects, rows stay on
// disk.
#include <stdexcept>
#include <string>

namespace parbench {

// Installs SIGINT/SIGTERM/SIGHUP handlers (without SA_RESTART, so a blocking poll returns EINTR).
void install_interrupt_handlers();
[[nodiscard]] bool interrupt_requested();
// The signal that interrupted the run, or 0.
[[nodiscard]] int interrupt_signal();
// "SIGINT", "SIGHUP", ...; "signal N" for one without a name.
[[nodiscard]] std::string signal_name(int signal);
// For tests: behave as if a signal had arrived (or clear it with 0).
void set_interrupt_for_testing(int signal);

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace parbench
