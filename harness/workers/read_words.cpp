#include "read_words.hpp"

#include <cstring>

namespace parbench {

namespace {

using Lanes = std::uint64_t __attribute__((vector_size(32)));

// The loop, compiled into each caller for that caller's instruction set.
[[gnu::always_inline]] inline std::uint64_t sum_lanes(const std::uint64_t* data,
                                                      std::size_t count) {
  constexpr std::size_t kWords = sizeof(Lanes) / sizeof(std::uint64_t);
  Lanes a{}, b{}, c{}, d{};
  std::size_t i = 0;
  for (; i + 4 * kWords <= count; i += 4 * kWords) {
    Lanes w{}, x{}, y{}, z{};
    std::memcpy(&w, data + i, sizeof w);  // unaligned loads: the data need not be 32-aligned
    std::memcpy(&x, data + i + kWords, sizeof x);
    std::memcpy(&y, data + i + 2 * kWords, sizeof y);
    std::memcpy(&z, data + i + 3 * kWords, sizeof z);
    a += w;
    b += x;
    c += y;
    d += z;
  }
  const Lanes t = a + b + c + d;
  std::uint64_t s = t[0] + t[1] + t[2] + t[3];
  for (; i < count; ++i) s += data[i];
  return s;
}

std::uint64_t read_plain(const std::uint64_t* data, std::size_t count) {
  return sum_lanes(data, count);
}

#if defined(__x86_64__) && defined(__GNUC__)
// Chosen at the first call rather than through target_clones: an ifunc resolver runs before a
// sanitizer's runtime is set up, and ThreadSanitizer builds crashed at start.
[[gnu::target("avx2")]] std::uint64_t read_avx2(const std::uint64_t* data, std::size_t count) {
  return sum_lanes(data, count);
}
#endif

}  // namespace

std::uint64_t read_words(const std::uint64_t* data, std::size_t count) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = static_cast<bool>(__builtin_cpu_supports("avx2"));
  if (avx2) return read_avx2(data, count);
#endif
  return read_plain(data, count);
}

}  // namespace parbench
