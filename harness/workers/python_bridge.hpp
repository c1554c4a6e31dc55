#pragma once
// Running a workload's Python version for the py_thread and py_process backends. The version
// (scripts/py/parbench_py.py, standard library only) runs in the machine's python3 with threading
// or multiprocessing, one interpreter per repetition. The script keeps the harness's rules: the
// workers start, wait at a gate and are timed from its opening to the last one's finish on the same
// CLOCK_MONOTONIC; CPU time, context switches and faults cover each worker's timed region
// (getrusage RUSAGE_THREAD); the result is verified, and a wrong one is an error. Steal and other
// load come from /proc/stat around the interpreter's whole run.
//
// The interpreter runs in a process group of its own, which is killed whole on a timeout, on
// Ctrl-C and after every repetition, so no multiprocessing child outlives it.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "run_workers.hpp"

namespace parbench {

struct PythonRep {
  RunResult run;  // error set when the script reported one or did not finish
  std::vector<std::pair<std::string, double>> metrics;
  double work_units = 0;
  std::string unsupported;  // why this case has no Python version here ("" when it ran)
};

struct PythonRepSpec {
  std::string_view mode;  // "thread" or "process"
  std::string_view workload;
  std::vector<std::pair<std::string, std::string>> params;
  std::string python;  // the interpreter as asked (resolve_python); "" for the default
  int workers = 1;
  std::vector<int> cpus;  // one per worker, or empty
  std::chrono::nanoseconds timeout{};
};

// Throws Interrupted on SIGINT/SIGTERM, after killing the interpreter's process group.
PythonRep run_python_rep(const PythonRepSpec& spec);

// $PARBENCH_PYTHON, else python3 from PATH; nullopt when neither exists.
std::optional<std::string> python_interpreter();
// The interpreter a case asks for: "" or "default" is python_interpreter(); a path (with a '/')
// must be executable; a bare name is looked up on PATH. nullopt when there is none.
std::optional<std::string> resolve_python(std::string_view choice);
// Runs the interpreter once, untimed: what it is ({executable, version, implementation,
// gil_enabled, start_methods}) and, when `params` name a user's function (target=, check=,
// kwargs=, start=), whether it imports and is callable; what the interpreter is is asked once per
// process. Throws BadInput saying what is wrong:
// no such interpreter, a target that does not import, a start method it lacks.
nlohmann::json describe_python(std::string_view choice,
                               const std::vector<std::pair<std::string, std::string>>& params);
// $PARBENCH_PY_SCRIPT, else scripts/py/parbench_py.py in the source tree parbench was built from.
std::string python_script();

}  // namespace parbench
