#pragma once
// The sum of an array of 64-bit words, read as fast as this CPU reads memory: four independent
// vector accumulators of 32 bytes (AVX2 where the CPU has it, chosen at the first call; pairs of
// 16-byte SSE2 registers otherwise). A plain `s += *p` is one dependent add per 8 bytes: on the
// 2-vCPU KVM guest it was measured on it tops out at 27 GB/s, where the memory delivers 38-46
// GB/s to 32-byte loads (and Debian's `sysbench memory` reads 41 GB/s). mem_sum and the limits'
// memory probe both read with this, so that the workload and its yardstick run the same loop.
#include <cstddef>
#include <cstdint>

namespace parbench {

std::uint64_t read_words(const std::uint64_t* data, std::size_t count);

}  // namespace parbench
