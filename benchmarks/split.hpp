#pragma once
// Splitting a range of work items across workers for strong and weak scaling, and the closed form
// the CPU-bound workloads check their sums of squares against.
#include <cstdint>
#include <string>

namespace parbench {

struct Range {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};

// strong: the n items are divided among the workers (worker i gets a contiguous share);
// weak: every worker gets n items of its own, so the total is n * workers.
inline Range worker_range(const std::string& scaling, std::int64_t n, int index, int workers) {
  if (scaling == "weak") return {n * index, n * (index + 1)};
  return {n * index / workers, n * (index + 1) / workers};
}

inline std::int64_t total_items(const std::string& scaling, std::int64_t n, int workers) {
  return scaling == "weak" ? n * workers : n;
}

// Sum of i^2 over [0, n) modulo 2^64, the same wrap-around the workers' uint64 arithmetic has.
// n(n-1)(2n-1)/6 with the division done first (one factor is even, one a multiple of 3), so the
// product can wrap freely and stays exact modulo 2^64 for any n.
inline std::uint64_t sum_squares_below(std::int64_t n) {
  if (n <= 0) return 0;
  auto a = static_cast<std::uint64_t>(n);
  std::uint64_t b = a - 1;
  std::uint64_t c = 2 * a - 1;
  (a % 2 == 0 ? a : b) /= 2;
  if (a % 3 == 0) {
    a /= 3;
  } else if (b % 3 == 0) {
    b /= 3;
  } else {
    c /= 3;
  }
  return a * b * c;
}

}  // namespace parbench
