#include "read_words.hpp"

#include <cstring>

namespace parbench {

namespace {

using Lanes = std::uint64_t __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__GNUC__)
#define PARBENCH_READ_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PARBENCH_READ_CLONES
#endif

PARBENCH_READ_CLONES std::uint64_t read_lanes(const std::uint64_t* data, std::size_t count) {
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

}  // namespace

std::uint64_t read_words(const std::uint64_t* data, std::size_t count) {
  return read_lanes(data, count);
}

}  // namespace parbench
