#pragma once
// What meta.json says about the Python the run used (run.python).
#include <nlohmann/json.hpp>

#include "plan.hpp"

namespace parbench {

// Each interpreter the plan's py_thread and py_process cases run in, described once
// (describe_python: executable, version, implementation, gil_enabled); one that cannot be run is
// {asked, error}. Null when no case runs Python.
nlohmann::json interpreters_of(const RunPlan& plan);

}  // namespace parbench
