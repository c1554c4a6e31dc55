#include "message.hpp"

#include <fmt/core.h>

#include <cstring>

#include "workload.hpp"

namespace parbench {
namespace {

constexpr std::size_t kStampStride = 4096;

std::uint64_t mix(
    std::uint64_t x) {  // splitmix64 finaliser: every input bit moves every output bit
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t stamp_at(std::uint32_t seq, std::size_t offset) {
  return mix((std::uint64_t{seq} << 32) ^ offset);
}
std::uint32_t check_word(std::uint32_t seq, std::size_t size) {
  return static_cast<std::uint32_t>(mix(std::uint64_t{seq} * 0x100000001b3ULL ^ size));
}

// The stamped words never overlap each other or the header: page words stop short of the tail
// word, which sits in the last 8 bytes.
template <class F>
void for_each_stamp(std::size_t size, F&& f) {
  if (size < 16) return;
  for (std::size_t off = kStampStride; off + 8 <= size - 8; off += kStampStride) f(off);
  f(size - 8);
}

}  // namespace

void stamp_message(std::span<std::byte> msg, std::uint32_t seq) {
  const std::uint32_t check = check_word(seq, msg.size());
  std::memcpy(msg.data(), &seq, 4);
  std::memcpy(msg.data() + 4, &check, 4);
  for_each_stamp(msg.size(), [&](std::size_t off) {
    const std::uint64_t v = stamp_at(seq, off);
    std::memcpy(msg.data() + off, &v, 8);
  });
}

std::uint32_t message_sequence(std::span<const std::byte> msg) {
  std::uint32_t seq = 0;
  std::memcpy(&seq, msg.data(), 4);
  return seq;
}

std::uint64_t sequence_digest(std::uint32_t seq) { return mix(seq); }

void verify_message(std::span<const std::byte> msg, std::uint32_t expected_seq) {
  std::uint32_t seq = 0, check = 0;
  std::memcpy(&seq, msg.data(), 4);
  std::memcpy(&check, msg.data() + 4, 4);
  if (seq != expected_seq) {
    throw VerificationError(fmt::format(
        "message {}: got sequence number {} (lost, duplicated or reordered)", expected_seq, seq));
  }
  if (check != check_word(seq, msg.size())) {
    throw VerificationError(
        fmt::format("message {}: header check word is wrong (corrupted or wrong size)", seq));
  }
  for_each_stamp(msg.size(), [&](std::size_t off) {
    std::uint64_t v = 0;
    std::memcpy(&v, msg.data() + off, 8);
    if (v != stamp_at(seq, off)) {
      throw VerificationError(
          fmt::format("message {}: {} bytes, word at offset {} is torn, stale or corrupted", seq,
                      msg.size(), off));
    }
  });
}

}  // namespace parbench
