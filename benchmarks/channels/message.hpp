#pragma once
// What every IPC message carries so the receiver can prove it arrived whole, once and in order:
//   bytes 0-3  sequence number
//   bytes 4-7  check word derived from (sequence, size)
//   one 8-byte word derived from (sequence, offset) at every 4 KiB boundary and in the last 8
//   bytes.
// A lost, duplicated or reordered message has the wrong sequence; a truncated, torn or stale one
// has a wrong stamped word. Only ~1 word per page is written and read, so verifying a 1 MiB
// message costs ~256 loads, not a full checksum pass that would be timed as channel cost.
#include <cstddef>
#include <cstdint>
#include <span>

namespace parbench {

inline constexpr std::size_t kMinMessageBytes = 8;

void stamp_message(std::span<std::byte> msg, std::uint32_t seq);
// Reads the sequence number a message claims (verify_message checks the claim).
std::uint32_t message_sequence(std::span<const std::byte> msg);
// A 64-bit digest of a sequence number: summed over a set of messages it identifies the set (a loss
// and a duplicate do not cancel out, as they would in a plain sum of sequence numbers).
std::uint64_t sequence_digest(std::uint32_t seq);
// Throws VerificationError naming the message and what was wrong.
void verify_message(std::span<const std::byte> msg, std::uint32_t expected_seq);

}  // namespace parbench
