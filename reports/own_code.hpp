#pragma once
// What a user's own code came to, for the workloads whose report role says own_code:
//   python   each function (pyfunc) at each worker count: threads' and processes' speedups, the
//            machine's ceiling beside them, and the verdict ("GIL-bound: use processes",
//            "releases the GIL: threads serve it as well") in words;
//   command  each command: runs per second, speedup, latency p50/p99 against the floor (`true`
//            started the same way), and the CPUs the commands could run on.
// Empty when the run measured no such workload.
#include <optional>
#include <string>
#include <vector>

#include "report_meta.hpp"
#include "summary.hpp"

namespace parbench {

// From the run's meta.json: the roles, the machine's limits, the interpreters (run.python: is
// there a GIL) and the CPUs the run could use.
std::string format_own_code(const std::vector<SummaryRow>& rows, const ReportMeta& meta);

// The verdict on one function at one worker count, from the threads' and processes' speedups
// (either may be missing), the ceiling (nullopt when the calls mostly wait and no ceiling applies)
// and whether the interpreter has a GIL.
std::string python_verdict(std::optional<double> threads, std::optional<double> processes,
                           std::optional<double> ceiling, bool gil);

}  // namespace parbench
