#pragma once
// The start gate: every worker checks in and waits; the coordinator opens the gate once all are in,
// so the timed region starts for all workers at once and worker start-up is not part of it.
// Lives in shared memory and works across threads and processes alike.
#include <cstdint>

#include "shared_memory.hpp"

namespace parbench {

struct StartGate {
  // ready and open sit on separate lines: workers hammer `open` while spinning and the coordinator
  // waits on `ready`; sharing a line would slow both.
  alignas(kCacheLine) std::uint32_t ready = 0;
  alignas(kCacheLine) std::uint32_t open = 0;
  std::int64_t open_ns = 0;
  // Spinning gives the smallest start skew but steals CPU from workers still starting up, so it is
  // used only when every worker has a CPU of its own.
  bool spin = false;

  void check_in();
  void wait_open();
  void release();
};

}  // namespace parbench
