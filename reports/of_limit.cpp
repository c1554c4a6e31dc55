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
// across CPUs; on one CPU, where the two ends take turns, against memcpy of L2-sized buffers
// halved (that CPU copies every byte in and out at least once each); larger ones against memcpy.
std::optional<Applied> stream_limit(const SummaryRow& r, const MachineLimits& limits) {
  const std::int64_t size = size_of(r).value_or(0);
  if (size < 4096) return std::nullopt;
  const auto memcpy_l2 = limits.get("memcpy_l2_mb_per_s");
  if (size <= (64 << 10)) {
    if (r.param("placement") == "same_core" && memcpy_l2) {
      return Applied{"memcpy, L2-sized buffers, in and out on one CPU", "MB/s", *memcpy_l2 / 2,
                     false, r.metric("mb_per_s")};
    }
    if (r.param("placement") != "cross_core") return std::nullopt;
    return Applied{"SPSC ring of 4 KiB slots, cross_core", "MB/s",
                   limits.get("spsc_ring_4k_mb_per_s", "cross_core"), false, r.metric("mb_per_s")};
  }
  return Applied{"memcpy, L2-sized buffers", "MB/s", memcpy_l2, false, r.metric("mb_per_s")};
}

// The one-way trip that hands something from one CPU to another: half a cache-line round trip
// (a spinning waiter sees the store) or half a futex wake-up round trip (a sleeping one is woken),
// weighted by `slept`, the share of hand-offs whose waiter slept. Pinned workers within the CPUs
// hand off across CPUs; unpinned ones (or more than the CPUs) may also hand off to a waiter on the
// same CPU, and the cheaper of the two is the bound (a spinning hand-off on one CPU waits for the
// scheduler: the cross-CPU line is its bound either way).
std::optional<double> one_way_ns(double slept, bool across_cpus, const MachineLimits& limits) {
  const auto line = limits.get("cacheline_rtt_ns", "cross_core");
  auto wake = limits.get("futex_rtt_ns", "cross_core");
  if (const auto same = limits.get("futex_rtt_ns", "same_core"); !across_cpus && same)
    wake = wake ? std::min(*wake, *same) : *same;
  if ((slept < 1 && !line) || (slept > 0 && !wake)) return std::nullopt;
  return (slept * wake.value_or(0) + (1 - slept) * line.value_or(0)) / 2;
}

// Of `events`, the share in which a worker slept: voluntary context switches per event.
double slept_share(const SummaryRow& r, double events) {
  if (events <= 0) return 0;
  return std::clamp(r.vol_ctx_switches.value_or(0) / events, 0.0, 1.0);
}

// A numeric parameter's value; 0 when the case lacks it.
double number_param(const SummaryRow& r, const std::string& name) {
  const std::string text = r.param(name);
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// Whether every hand-off crosses CPUs: pinned workers, no more than the CPUs.
bool across_cpus(const SummaryRow& r, const NoiseRule& noise) {
  return !r.pin.empty() && r.pin != "none" && noise.cpus > 0 && r.workers <= noise.cpus;
}
// A lock serializes its hand-offs, and each moves the lock to another worker: at least one
// one-way trip (the cache line to a spinning waiter, a wake-up to a sleeping one). Hand-offs per
// second (ops_per_s x handoff_rate) are at most the inverse. The critical sections are not in the
// bound: cs_p50_ns is sampled with clock reads around it and reads longer than the sections
// really are, and cs_ns is a calibrated loop, not a floor. One worker hands off nothing: no limit.
std::optional<Applied> handoff_limit(const SummaryRow& r, const MachineLimits& limits,
                                     const NoiseRule& noise) {
  const auto h = r.metric("handoff_rate");
  const auto ops = r.metric("ops_per_s");
  if (r.workers < 2 || !h || *h <= 0 || !ops) return std::nullopt;
  const double slept = slept_share(r, r.work_units.value_or(0) * *h);
  const auto trip = one_way_ns(slept, across_cpus(r, noise), limits);
  if (!trip || *trip <= 0) return std::nullopt;
  return Applied{fmt::format("hand-offs, one way each ({:.0f}% woken from sleep)", slept * 100),
                 "hand-offs/s", 1e9 / *trip, false, *ops * *h};
}

// A semaphore lets k in at once, each for cs_ns, and no more than the CPUs can compute at once.
std::optional<Applied> admission_limit(const SummaryRow& r, const NoiseRule& noise) {
  const double cs = number_param(r, "cs_ns");
  const double k = number_param(r, "k");
  if (cs <= 0 || k <= 0) return std::nullopt;
  double inside = std::min<double>(k, r.workers);
  if (noise.cpus > 0) inside = std::min<double>(inside, noise.cpus);
  return Applied{fmt::format("{:.0f} inside at once, cs_ns each", inside), "op/s",
                 inside * 1e9 / cs, false, r.metric("ops_per_s")};
}

// A set event reaches a waiter on another CPU in no less than one wake-up's one way.
std::optional<Applied> wake_limit(const SummaryRow& r, const MachineLimits& limits,
                                  const NoiseRule& noise) {
  const auto trip = one_way_ns(1, across_cpus(r, noise), limits);
  if (!trip) return std::nullopt;
  return Applied{"futex wake-up, one way", "ns", *trip, true, r.metric("wake_p50_ns")};
}

// A crossing: every arrival reaches the last worker and the release reaches every other, a round
// trip of a cache line, or one way of a line and one of a wake-up when the waiters slept.
std::optional<Applied> crossing_limit(const SummaryRow& r, const MachineLimits& limits,
                                      const NoiseRule& noise) {
  const double waits = r.work_units.value_or(0) * (r.workers - 1);
  const double slept = slept_share(r, waits);
  const auto arrive = one_way_ns(0, across_cpus(r, noise), limits);
  const auto release = one_way_ns(slept, across_cpus(r, noise), limits);
  if (r.workers < 2 || !arrive || !release) return std::nullopt;
  return Applied{fmt::format("arrival and release ({:.0f}% woken from sleep)", slept * 100), "ns",
                 *arrive + *release, true, r.metric("crossing_p50_ns")};
}

// A sleep of ms takes no less than ms: the wall time against it (timer slack and wake-up).
std::optional<Applied> sleep_limit(const SummaryRow& r) {
  const double ms = number_param(r, "ms");
  if (ms <= 0 || !r.wall_ns) return std::nullopt;
  return Applied{"the requested sleep", "ns", ms * 1e6, true, r.wall_ns->median};
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
  const std::string& declared = roles.of(r.workload).limit;
  if (declared == "handoff") return handoff_limit(r, limits, noise);
  if (declared == "admission") return admission_limit(r, noise);
  if (declared == "wake") return wake_limit(r, limits, noise);
  if (declared == "crossing") return crossing_limit(r, limits, noise);
  if (declared == "sleep") return sleep_limit(r);
  if (r.param("channel").empty() || roles.crosses_hosts(r.param("channel"))) return std::nullopt;
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
