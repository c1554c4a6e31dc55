#pragma once
// Every workload parbench can run: the built-in ones (workload_list.hpp), then those a program
// built against the installed package registers from its own files (PARBENCH_REGISTER_WORKLOAD or
// register_simple_workload), in the order they were registered.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workload.hpp"

namespace parbench {

const std::vector<std::unique_ptr<Workload>>& all_workloads();
// nullptr when no workload has that name.
const Workload* find_workload(std::string_view name);
// True for a workload registered from outside parbench's tree.
bool is_user_workload(std::string_view name);

using WorkloadMaker = std::function<std::unique_ptr<Workload>()>;
// Adds a workload to the registry; for static initialisation, before main (returns true so that
// it can initialise a variable). Clashes are found when the registry is first used.
bool register_workload(WorkloadMaker make);
// Throws BadInput naming every problem of the registered workloads: a name used twice (a user's
// workload named like a built-in one), an empty name, a parameter declared twice. The command line
// calls it before anything else.
void check_workload_registry();
// For registration helpers: a problem check_workload_registry then reports.
void report_registration_problem(std::string problem);

}  // namespace parbench

// In a user's .cpp file: registers the Workload subclass CLASS (default-constructible).
#define PARBENCH_REGISTER_WORKLOAD(CLASS)                                                         \
  [[maybe_unused]] static const bool parbench_registered_##CLASS = ::parbench::register_workload( \
      []() -> std::unique_ptr<::parbench::Workload> { return std::make_unique<CLASS>(); })
