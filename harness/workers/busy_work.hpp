#pragma once
// Simulated work of a given length (a critical section of cs_ns, work outside it) as a loop of
// instructions rather than polling the clock: a clock read costs ~20-50 ns on a VM, so a polled
// 100 ns took 134 ns and its length depended on the clock's cost. The loop's speed is measured
// once per process, before any worker starts (workers inherit it), and recorded in meta.json.
#include <cmath>
#include <cstdint>

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

}  // namespace parbench
