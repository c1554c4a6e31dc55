#pragma once
// Small text helpers that records of several layers share: a UTC timestamp and a stable hash.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace parbench {

// Now, in UTC, as ISO 8601: 2026-11-29T15:07:06Z.
inline std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// FNV-1a, 64 bits: the same value for the same text on every build and platform (std::hash
// promises neither), for names kept in files.
inline std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace parbench
