#pragma once
// What this machine allows, measured by plain probes that use nothing of parbench's workloads: the
// yardsticks that say whether a slow figure is the code, the method or the hardware.
//   cacheline_cas_rtt_ns        one cache line bounced by compare-and-swap between two CPUs
//   cacheline_rtt_ns            two lines, each side stores to its own and polls the other's
//   futex_rtt_ns                a blocking wake-up round trip (FUTEX_WAKE / FUTEX_WAIT), on one
//                               CPU, across CPUs with the other idle, and with it busy (a
//                               SCHED_IDLE spinner); across CPUs the fast end of the round trips
//                               in which both sides slept (limits.cpp says why)
//   memcpy_l2_mb_per_s          memcpy between two 256 KiB buffers
//   memcpy_dram_mb_per_s        memcpy between two buffers far larger than the last-level cache
//   spsc_ring_4k_mb_per_s       a plain 64-slot single-producer ring of 4 KiB slots, two CPUs
//   speedup_ceiling             N independent compute loops pinned side by side against one alone
//   memory_speedup_ceiling      N threads reading one DRAM-sized array in slices against one
//                               thread reading all of it: where memory bandwidth stops speedup
//   memory_read_mb_per_s        the bytes those N threads (and the one) read per second: the
//                               limit of a memory-bound case with N workers (read_words.hpp)
//   shared_memory_read_mb_per_s one thread reading shared memory (the arena's kind) the same way
//   clock_read_ns, thread_create_join_ns, fork_exit_wait_ns
// Round trips are timed one by one with two clock reads, exactly as ipc_pingpong times its own,
// and reported as the median unless said otherwise. Bandwidths (10^6 bytes per second, as
// ipc_stream's mb_per_s) are the best of 5 rounds and ceilings the ratio of the best times of 3
// interleaved rounds: a limit is what the machine allows when nothing else gets in the way.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

struct LimitValue {
  std::string name;
  std::string placement;  // same_core (one CPU), cross_core, cross_core_busy; "" when none
  std::string cpus;       // the CPUs it ran on, "0+1"
  int workers = 0;        // the speedup ceilings only
  std::optional<double> value;
  std::string unit;         // ns, MB/s, x
  std::string unsupported;  // why it could not be measured here ("" when it was)
  // What else the machine did while its probe ran (/proc/stat, the probe's own CPU left out):
  // empty when the window was too short to say.
  std::optional<double> other_load_pct = std::nullopt;
  std::optional<double> steal_pct = std::nullopt;

  // "35% other load, 1% steal" when either passed the noise thresholds, else "".
  [[nodiscard]] std::string under_load() const;
};

struct MachineLimits {
  std::vector<LimitValue> values;
  std::string measured_at;
  double seconds = 0;  // how long measuring took
  std::string key;     // what the cached copy must match: boot, CPUs, build

  [[nodiscard]] bool empty() const { return values.empty(); }
  [[nodiscard]] std::optional<double> get(std::string_view name,
                                          std::string_view placement = "") const;
  // Ceiling `name` (speedup_ceiling, memory_speedup_ceiling, memory_read_mb_per_s) at
  // `workers`: measured,
  // interpolated between measured counts, or the largest measured one beyond them. nullopt when
  // none was measured.
  [[nodiscard]] std::optional<double> ceiling(std::string_view name, int workers) const;
  [[nodiscard]] std::optional<double> speedup_ceiling(int workers) const {
    return ceiling("speedup_ceiling", workers);
  }
  // How many values were taken while the machine was busy (LimitValue::under_load).
  [[nodiscard]] std::size_t taken_under_load() const;

  [[nodiscard]] nlohmann::json to_json() const;
  // Empty limits for null or a value of the wrong shape.
  static MachineLimits from_json(const nlohmann::json& j);
};

// Measures every limit on the CPUs this process may use (a few seconds at most).
MachineLimits measure_limits();

// What a cached measurement must match to be reused: the boot, the CPU model and the CPUs this
// process may use, and how this binary was built.
std::string limits_key();
// The limits of this machine and boot: the cached copy (under $XDG_CACHE_HOME or ~/.cache, one
// file per key), or measured and cached when there is none or `refresh` (calling
// `before_measuring` first, so the caller can say why it pauses). A measurement during which the
// machine was busy is taken once more at once, and the one with fewer values taken under load is
// kept; the values still taken under load say so in the table and in meta.json.
MachineLimits cached_limits(bool refresh, const std::function<void()>& before_measuring = {});

std::string format_limits_table(const MachineLimits& limits);

// The two CPUs of an IPC placement, as ipc workloads pin them: same_core (one CPU, both sides
// take turns) or cross_core (two CPUs as far apart as the topology allows). nullopt when this
// process may not use enough CPUs.
std::optional<std::pair<int, int>> placement_cpus(std::string_view placement);

}  // namespace parbench
