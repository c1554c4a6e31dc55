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

// Eight independent chains of integer operations per iteration: bound by how many operations the
// core issues per cycle rather than by one chain's latency. The throughput half of the machine
// probe; its speed is measured once per process too (for sizing the probe only).
void wide_loop(std::uint64_t iterations);
double wide_ns_per_iteration();

// About `ns` of busy work (nothing for ns <= 0).
inline void busy_for(std::int64_t ns) {
  if (ns <= 0) return;
  busy_loop(
      static_cast<std::uint64_t>(std::llround(static_cast<double>(ns) / busy_ns_per_iteration())));
}

// What the machine probe read right before a repetition.
struct MachineSpeed {
  // One ~2 ms copy of busy_loop (latency-bound) per CPU, their work per wall time relative to one
  // loop at the calibrated speed: about cpus.size() when they are free and at full speed.
  double capacity = 0;
  // Then one ~2 ms copy of wide_loop (throughput-bound) per CPU: its iterations per nanosecond,
  // summed. Absolute, so comparable between separate runs on one machine, where `capacity` is
  // relative to each run's own calibration and cannot see a slowdown that lasts a whole run.
  double throughput = 0;
};

// How much of the machine a case finds right before a repetition: a calibrated ~2 ms busy loop on
// each of `cpus` (distinct CPUs, each thread pinned to its own, started together), then the same
// with wide_loop. The chain's capacity falls when the hypervisor runs two vCPUs on one host CPU,
// slows a vCPU, or other processes hold the CPUs (on this VM: 2.0 for two CPUs normally, 1.0 in
// episodes of several seconds that steal time does not show). The wide loop's throughput also
// falls when something competes for the core's execution units (a busy hyperthread sibling on
// the host), which slows throughput-bound code by up to half while a dependent chain runs on: on
// this VM cpu_sum's loop varied by 12% over minutes on one vCPU with the chain steady (its
// correlation with the chain -0.2, with the wide loop 0.6). Unpinned, a new thread starts on its
// parent's CPU and would wait there for the load balancer: hence the pinning. Recorded in every
// row (machine_capacity, machine_throughput) so that a comparison of two separate runs can tell
// the machine's change from the code's. nullopt when a thread cannot be pinned.
std::optional<MachineSpeed> machine_capacity(const std::vector<int>& cpus);
// The capacity a case of `workers` on `pinned` CPUs (empty: not pinned) finds. Pinned, or with a
// worker for every CPU this process may use: machine_capacity of those CPUs side by side. Not
// pinned and fewer workers than CPUs: the scheduler may put a worker on any of them, and on this
// VM one vCPU at a time runs at half speed for hundreds of milliseconds, so each CPU (up to 8) is
// probed alone and the slowest counts: workers x the slowest CPU's speed (each measure's own
// slowest).
std::optional<MachineSpeed> case_capacity(int workers, const std::vector<int>& pinned);

}  // namespace parbench
