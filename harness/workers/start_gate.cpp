#include "start_gate.hpp"

#include <sched.h>

#include <atomic>

#include "clock.hpp"
#include "futex.hpp"

namespace parbench {

void StartGate::check_in() {
  std::atomic_ref<std::uint32_t>(ready).fetch_add(1, std::memory_order_acq_rel);
  futex_wake(&ready);
}

void StartGate::wait_open() {
  std::atomic_ref<std::uint32_t> is_open(open);
  if (spin) {
    // Pause first (cheap, keeps the line in cache), then yield so a coordinator sharing this CPU
    // can still run and open the gate.
    for (int i = 0; is_open.load(std::memory_order_acquire) == 0; ++i) {
      if (i < 4096) {
        cpu_relax();
      } else {
        sched_yield();
      }
    }
    return;
  }
  while (is_open.load(std::memory_order_acquire) == 0) futex_wait(&open, 0);
}

void StartGate::release() {
  open_ns = now_ns();
  std::atomic_ref<std::uint32_t>(open).store(1, std::memory_order_release);
  futex_wake(&open);
}

}  // namespace parbench
