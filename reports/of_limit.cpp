#include "of_limit.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <climits>

#include "speedup_stack.hpp"

namespace parbench {
namespace {

struct Applied {
  std::string name;
  std::string unit;
  std::optional<double> limit;
  bool lower_is_better = false;  // the figure is a time: of_limit = limit / figure
  std::optional<double> figure;
};

// Limits describe one machine: not a case whose ranks ran on several ("a+b").
bool across_hosts(const SummaryRow& r) { return r.host.find('+') != std::string::npos; }

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::optional<std::int64_t> size_of(const SummaryRow& r) {
  // Rows hold sizes in bytes ("4096"), as the plan expanded them.
  const std::string text = r.param("size");
  std::int64_t size = 0;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return size;
}

// A round trip of one cache line (spin) or one page (block): beyond that the copy dominates and a
// round trip's limit is no longer the wake-up or the line transfer alone.
std::optional<Applied> pingpong_limit(const SummaryRow& r, const MachineLimits& limits) {
  const std::string placement = r.param("placement");
  const bool spin = r.param("wait") == "spin";
  if (size_of(r).value_or(INT64_MAX) > (spin ? 64 : 4096)) return std::nullopt;
  const auto p50 = r.metric("rtt_p50_ns");
  if (spin) {
    if (placement != "cross_core") return std::nullopt;
    return Applied{"two-line cache round trip, cross_core", "ns",
                   limits.get("cacheline_rtt_ns", "cross_core"), true, p50};
  }
  if (placement != "same_core" && placement != "cross_core") return std::nullopt;
  return Applied{fmt::format("futex wake-up round trip, {}", placement), "ns",
                 limits.get("futex_rtt_ns", placement), true, p50};
}

// A stream of 4 KiB to 64 KiB messages across CPUs against a plain SPSC ring of 4 KiB slots
// across CPUs (on one CPU the two ends take turns, which the ring was not measured doing: no
// limit); larger ones against memcpy of L2-sized buffers.
std::optional<Applied> stream_limit(const SummaryRow& r, const MachineLimits& limits) {
  const std::int64_t size = size_of(r).value_or(0);
  if (size < 4096) return std::nullopt;
  if (size <= (64 << 10)) {
    if (r.param("placement") != "cross_core") return std::nullopt;
    return Applied{"SPSC ring of 4 KiB slots, cross_core", "MB/s",
                   limits.get("spsc_ring_4k_mb_per_s", "cross_core"), false, r.metric("mb_per_s")};
  }
  return Applied{"memcpy, L2-sized buffers", "MB/s", limits.get("memcpy_l2_mb_per_s"), false,
                 r.metric("mb_per_s")};
}

std::optional<Applied> limit_of(const SummaryRow& r, const MachineLimits& limits,
                                const NoiseRule& noise, const WorkloadRoles& roles) {
  if (!r.ok() || across_hosts(r)) return std::nullopt;
  // A memory-bound case's bandwidth against what as many threads read here, at any worker count:
  // its speedup would depend on how fast its own 1-worker case was (a slower one alone scales
  // "better", past the memory speedup ceiling).
  if (contains(noise.memory_bound, r.workload) && r.metric("mb_per_s") &&
      !contains(noise.serialized_backends, r.backend)) {
    return Applied{
        fmt::format("memory read bandwidth, {} thread{}", r.workers, r.workers == 1 ? "" : "s"),
        "MB/s", limits.ceiling("memory_read_mb_per_s", r.workers), false, r.metric("mb_per_s")};
  }
  if (contains(noise.cpu_bound, r.workload) && r.speedup && r.workers > 1 &&
      !contains(noise.serialized_backends, r.backend)) {
    return Applied{fmt::format("speedup ceiling at {} workers", r.workers), "x",
                   limits.speedup_ceiling(r.workers), false, r.speedup};
  }
  if (r.param("channel").empty() || r.param("channel") == "mpi") return std::nullopt;
  const std::string& declared = roles.of(r.workload).limit;
  if (declared == "round_trip") return pingpong_limit(r, limits);
  if (declared == "stream") return stream_limit(r, limits);
  return std::nullopt;
}

}  // namespace

void add_limits(std::vector<SummaryRow>& rows, const MachineLimits& limits, const NoiseRule& noise,
                const WorkloadRoles& roles) {
  if (limits.empty()) return;
  for (auto& r : rows) {
    const auto a = limit_of(r, limits, noise, roles);
    if (!a || !a->limit || *a->limit <= 0) continue;
    r.limit_name = a->name;
    r.limit_unit = a->unit;
    r.limit = a->limit;
    if (a->figure && *a->figure > 0)
      r.of_limit = a->lower_is_better ? *a->limit / *a->figure : *a->figure / *a->limit;
  }
}

std::vector<SummaryRow> summarize_run(const std::vector<Row>& rows, const ReportSchema& schema,
                                      const ReportMeta& meta) {
  const NoiseRule noise = meta.run ? meta.run->noise_rule : NoiseRule{};
  auto summary = summarize_rows(rows, schema, noise);
  MachineLimits limits;
  if (meta.machine.is_object() && meta.machine.contains("limits"))
    limits = MachineLimits::from_json(meta.machine["limits"]);
  add_limits(summary, limits, noise, WorkloadRoles::from_schema(meta.schema));
  for (auto& r : summary)
    add_stack_ceiling(r, across_hosts(r) ? std::nullopt : limits.speedup_ceiling(r.workers));
  return summary;
}

}  // namespace parbench
