#pragma once
// Process-shared futex calls (no FUTEX_PRIVATE_FLAG: the words live in MAP_SHARED memory and are
// waited on from different processes).
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdint>

namespace parbench {

// Sleeps while *word == expected, for at most timeout (nullptr: no limit). Spurious wake-ups
// happen; callers re-check their condition in a loop.
inline void futex_wait(std::uint32_t* word, std::uint32_t expected,
                       const timespec* timeout = nullptr) {
  syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout, nullptr, 0);
}

inline void futex_wake(std::uint32_t* word, int count = INT_MAX) {
  syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace parbench
