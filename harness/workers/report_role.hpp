#pragma once
// What a workload declares for the reports beyond its unit and metrics: which machine limit a case
// is measured against and which comparison table it belongs to. The run writes it into meta.json
// (schema.roles), and the reports read it from there, never from a workload's name, so a user's
// workload gets the same limits and tables as a built-in one.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace parbench {

// A ranking table of synchronization workloads: a line per value of `key_param` and backend, the
// metric at each worker count in columns, ranked at the most workers; one block per value of
// `block_param` ("" one block). Formats: "si" (50.1M), "duration" (1.2 µs), "fixed2", "integer",
// "percent" (0.42 as 42%). An extra named "of_limit" shows the summary's of_limit column.
struct SyncTable {
  std::string title, key_param, block_param, metric;
  bool higher_is_better = true;
  std::string format = "si";
  struct Extra {
    std::string header, metric, format;
  };
  std::vector<Extra> extras;  // shown once per line, at its most workers
};

struct ReportRole {
  // Beyond cpu_bound and memory_bound: "round_trip" (rtt_p50_ns against the cache-line or futex
  // round trip of its placement), "stream" (mb_per_s against the SPSC ring or memcpy),
  // "handoff" (ops_per_s against cs_ns + handoff_rate one-way trips, serialized), "admission"
  // (ops_per_s against k or the CPUs inside at once for cs_ns), "wake" (wake_p50_ns against a
  // futex wake-up's one way), "crossing" (crossing_p50_ns against an arrival and a release),
  // "sleep" (the wall time against the requested ms), "" none (of_limit.cpp).
  std::string limit;
  // The IPC ranking: "round_trip" (latency columns) or "stream" (throughput), "" none.
  std::string ipc_table;
  std::optional<SyncTable> sync_table;
  // A user's own code measured as it is (own_code.hpp): "python" (a function on threads and
  // processes: the GIL's verdict) or "command" (runs per second against the floor), "" none.
  std::string own_code;

  [[nodiscard]] bool empty() const {
    return limit.empty() && ipc_table.empty() && !sync_table && own_code.empty();
  }
  [[nodiscard]] nlohmann::json to_json() const;
  // An empty role for null or a value of another shape.
  static ReportRole from_json(const nlohmann::json& j);
};

}  // namespace parbench
