#include "busy_work.hpp"

#include <algorithm>

#include "clock.hpp"

namespace parbench {

void busy_loop(std::uint64_t iterations) {
  std::uint64_t x = iterations;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));  // the compiler may neither fold nor drop the chain
  }
}

namespace {

double measure_ns_per_iteration() {
  std::uint64_t n = 1 << 16;
  // Grow until one loop takes ~10 ms: the clock's own cost is then noise.
  while (n < (1ULL << 34)) {
    const std::int64_t t0 = now_ns();
    busy_loop(n);
    if (now_ns() - t0 >= 10'000'000) break;
    n *= 2;
  }
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    const std::int64_t t0 = now_ns();
    busy_loop(n);
    const double per = static_cast<double>(now_ns() - t0) / static_cast<double>(n);
    best = round == 0 ? per : std::min(best, per);
  }
  return best;
}

}  // namespace

double busy_ns_per_iteration() {
  static const double ns = measure_ns_per_iteration();
  return ns;
}

}  // namespace parbench
