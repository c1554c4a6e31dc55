#pragma once
// How far each case is from what the machine allows: the summary's limit_name, limit and of_limit
// columns, from the limits measured for the run (parbench limits, meta.json machine.limits), by
// what each workload declares (cpu_bound and memory_bound in the noise rule, its report role's
// limit in schema.roles), never by its name:
//   speedup of a CPU-bound workload         / the speedup ceiling at that worker count
//   mb_per_s of a memory-bound one          / the read bandwidth of as many threads
//                                             (memory_read_mb_per_s), at any worker count
//   limit round_trip (ipc_pingpong):
//     wait=spin, two CPUs, <=64 B             two-line cache round trip / rtt_p50_ns
//     wait=block, <=4 KiB                     futex wake-up round trip in which both sides
//                                             slept, same placement / rtt_p50_ns
//   limit stream (ipc_stream):
//     4 KiB to 64 KiB messages                mb_per_s / the plain SPSC ring of 4 KiB slots
//     larger messages                         mb_per_s / memcpy between L2-sized buffers
// of_limit is a fraction of the machine's best, the same way round for every kind: 1 is at the
// limit, 0.5 is half as fast. Cases no limit applies to keep the three cells empty.
#include <vector>

#include "limits.hpp"
#include "report_meta.hpp"
#include "summary.hpp"
#include "workload_roles.hpp"

namespace parbench {

void add_limits(std::vector<SummaryRow>& rows, const MachineLimits& limits, const NoiseRule& noise,
                const WorkloadRoles& roles);

// The summary of a run's rows as its meta.json describes the run: its noise rule, and its
// machine's limits when it has them.
std::vector<SummaryRow> summarize_run(const std::vector<Row>& rows, const ReportSchema& schema,
                                      const ReportMeta& meta);

}  // namespace parbench
