#pragma once
// The table `parbench run ipc` ends with: one line per channel (and wait mode) and backend, with
// small-message round-trip latency on one core and across cores and large-message throughput,
// ranked by cross-core latency. Empty when the run had no IPC workload.
#include <string>
#include <vector>

#include "summary.hpp"

namespace parbench {

std::string format_ipc_comparison(const std::vector<SummaryRow>& rows);

}  // namespace parbench
