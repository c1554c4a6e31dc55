#pragma once
// Splitting a range of work items across workers for strong and weak scaling.
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

}  // namespace parbench
