// Copy and ring bandwidth: memcpy within L2 and far beyond the last-level cache, and a plain
// SPSC ring of 4 KiB slots between two CPUs.

#include <algorithm>
#include <cstring>

#include "clock.hpp"
#include "interrupt.hpp"
#include "limits_probes.hpp"
#include "topology.hpp"

namespace parbench::limits_probes {
namespace {

// A plain single-producer single-consumer ring: 64 slots of 4 KiB, a head and a tail index on
// their own lines, each side caching the other's. The producer copies 4 KiB in, the consumer out.
double spsc_ring_mb_per_s(int a, int b) {
  constexpr std::size_t kSlot = 4096, kSlots = 64, kMessages = 16'384;
  std::vector<char> ring(kSlot * kSlots), src(kSlot, 3), dst(kSlot);
  Line head, tail;
  std::vector<double> rates;
  for (int round = 0; round < 5; ++round) {
    head.v.store(0);
    tail.v.store(0);
    std::int64_t t0 = 0, t1 = 0;
    std::uint64_t sum = 0;
    run_pair(
        a, b,
        [&] {
          t0 = now_ns();
          std::uint64_t seen_tail = 0;
          for (std::uint64_t i = 0; i < kMessages; ++i) {
            while (i - seen_tail >= kSlots) seen_tail = tail.v.load(std::memory_order_acquire);
            src[0] = static_cast<char>(i);
            std::memcpy(ring.data() + (i % kSlots) * kSlot, src.data(), kSlot);
            head.v.store(i + 1, std::memory_order_release);
          }
        },
        [&] {
          std::uint64_t seen_head = 0;
          for (std::uint64_t i = 0; i < kMessages; ++i) {
            while (seen_head <= i) seen_head = head.v.load(std::memory_order_acquire);
            std::memcpy(dst.data(), ring.data() + (i % kSlots) * kSlot, kSlot);
            tail.v.store(i + 1, std::memory_order_release);
            sum += static_cast<unsigned char>(dst[0]);
          }
          t1 = now_ns();
        });
    std::uint64_t want = 0;
    for (std::uint64_t i = 0; i < kMessages; ++i) want += static_cast<unsigned char>(i);
    if (sum != want) throw std::logic_error("spsc ring probe: messages lost");
    rates.push_back(static_cast<double>(kMessages * kSlot) / static_cast<double>(t1 - t0) * 1e3);
  }
  return *std::max_element(rates.begin(), rates.end());
}

}  // namespace

// memcpy between two buffers of `bytes`, repeated until `total` bytes moved; 10^6 B/s.
double memcpy_mb_per_s(std::size_t bytes, std::size_t total) {
  std::vector<char> src = filled<char>(bytes, 1), dst = filled<char>(bytes, 0);
  std::vector<double> rates;
  for (int round = 0; round < 5; ++round) {
    throw_if_interrupted();
    const std::size_t copies = std::max<std::size_t>(1, total / bytes);
    const std::int64_t t0 = now_ns();
    for (std::size_t i = 0; i < copies; ++i) {
      src[i % bytes] = static_cast<char>(i);  // a different source each time: nothing to elide
      std::memcpy(dst.data(), src.data(), bytes);
    }
    const auto ns = static_cast<double>(now_ns() - t0);
    if (dst[bytes / 2] != src[bytes / 2]) throw std::logic_error("memcpy probe: copy lost");
    rates.push_back(static_cast<double>(copies * bytes) / ns * 1e3);
  }
  return *std::max_element(rates.begin(), rates.end());  // the best round: what the machine allows
}

// Far larger than the last-level cache: 4 times it, 64 MiB to 512 MiB.
std::size_t dram_bytes() {
  std::uint64_t llc = 0;
  for (const auto& c : Topology::get().caches) llc = std::max(llc, c.size_bytes);
  return std::clamp<std::size_t>(4 * llc, 64 << 20, 512 << 20);
}

void add_ring_bandwidth(std::vector<LimitValue>& out) {
  const auto cross = placement_cpus("cross_core");
  if (cross) {
    out.push_back({"spsc_ring_4k_mb_per_s", "cross_core", cpu_pair(cross->first, cross->second), 0,
                   spsc_ring_mb_per_s(cross->first, cross->second), "MB/s", ""});
  } else {
    out.push_back({"spsc_ring_4k_mb_per_s", "cross_core", "", 0, std::nullopt, "MB/s",
                   "needs two CPUs this process may use"});
  }
}

}  // namespace parbench::limits_probes
