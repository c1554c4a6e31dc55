// The two ways to start C++ workers; the backends built on them are in run/backends.cpp.
#include <memory>
#include <vector>

#include "launcher.hpp"

namespace parbench {

std::unique_ptr<WorkerLauncher> make_thread_launcher();
std::unique_ptr<WorkerLauncher> make_process_launcher();

const WorkerLauncher& thread_launcher() {
  static const auto launcher = make_thread_launcher();
  return *launcher;
}

const WorkerLauncher& process_launcher() {
  static const auto launcher = make_process_launcher();
  return *launcher;
}

std::vector<const WorkerLauncher*> all_launchers() {
  return {&thread_launcher(), &process_launcher()};
}

}  // namespace parbench
