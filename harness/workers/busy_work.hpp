#pragma once
// Simulated work of a given length (a critical section of cs_ns, work outside it) as a loop of
// instructions rather than polling the clock: a clock read costs ~20-50 ns on a VM, so a polled
// 100 ns took 134 ns and its length depended on the clock's cost. The loop's speed is measured
// once per process, before any worker starts (workers inherit it), and recorded in meta.json.
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace parbench {

// Nanoseconds per iteration of busy_loop, measured on first use: the fastest of several timed
// runs of a ~10 ms loop (the fastest is the one least disturbed by other work).
double busy_ns_per_iteration();

// A dependent chain of multiply-adds: registers only, nothing to vectorise or elide.
void busy_loop(std::uint64_t iterations);

// About `ns` of busy work (nothing for ns <= 0).
inline void busy_for(std::int64_t ns) {
  if (ns <= 0) return;
  busy_loop(
      static_cast<std::uint64_t>(std::llround(static_cast<double>(ns) / busy_ns_per_iteration())));
}

// How much of the machine a case finds right before a repetition: one copy of a calibrated ~2 ms
// busy loop on each of `cpus` (distinct CPUs, each thread pinned to its own, started together),
// their work per wall time relative to one loop at the calibrated speed. About cpus.size() when
// those CPUs are free and run at full speed; lower when the hypervisor runs two vCPUs on one host
// CPU, slows a vCPU, or other processes hold the CPUs (on this VM: 2.0 for two CPUs normally, 1.0
// in episodes of several seconds that steal time does not show). Unpinned, a new thread starts on
// its parent's CPU and would wait there for the load balancer: hence the pinning. Recorded in
// every row (machine_capacity) so that a comparison of two separate runs can tell the machine's
// change from the code's. nullopt when a thread cannot be pinned.
std::optional<double> machine_capacity(const std::vector<int>& cpus);
// The capacity a case of `workers` on `pinned` CPUs (empty: not pinned) finds. Pinned, or with a
// worker for every CPU this process may use: machine_capacity of those CPUs side by side. Not
// pinned and fewer workers than CPUs: the scheduler may put a worker on any of them, and on this
// VM one vCPU at a time runs at half speed for hundreds of milliseconds, so each CPU (up to 8) is
// probed alone and the slowest counts: workers x the slowest CPU's speed.
std::optional<double> case_capacity(int workers, const std::vector<int>& pinned);

}  // namespace parbench
