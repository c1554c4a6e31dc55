#pragma once
// The table `parbench run ipc` ends with, from the workloads that declare an IPC table
// (report_role.hpp: ipc_pingpong's round trips, ipc_stream's throughput): one line per channel (and
// wait mode) and backend, with
// small-message round-trip latency on one core and across cores and large-message throughput,
// ranked by cross-core latency. Empty when the run had no IPC workload.
#include <optional>
#include <string>
#include <vector>

#include "summary.hpp"
#include "workload_roles.hpp"

namespace parbench {

struct IpcLine {
  std::string channel;  // with " (spin)" for wait=spin, " (window 64)" for a windowed stream
  std::string backend;
  std::optional<double> same_core_rtt, cross_core_rtt;  // p50 round trip, ns
  std::optional<double> throughput;                     // MB/s
};

// The channels ranked by the round trip of the smallest message across cores (on one core where
// they ran only there), with the largest stream's throughput. Channels unsupported on a backend in
// every case are left out.
struct IpcRanking {
  std::optional<long long> rtt_size;  // bytes; none when no round trip succeeded
  long long stream_size = 0;          // bytes; 0 when no stream succeeded
  std::vector<IpcLine> lines;         // fastest first
};
IpcRanking rank_ipc_channels(const std::vector<SummaryRow>& rows, const WorkloadRoles& roles);

std::string format_ipc_comparison(const std::vector<SummaryRow>& rows, const WorkloadRoles& roles);

}  // namespace parbench
