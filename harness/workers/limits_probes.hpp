#pragma once
// The probes behind `parbench limits` (limits.hpp), one file per kind: limits_round_trips.cpp
// (cache-line and futex round trips), limits_bandwidth.cpp (memcpy, the SPSC ring),
// limits_ceilings.cpp (speedup and memory ceilings, memory read bandwidth), limits_startup.cpp
// (clock read, thread and process start). limits.cpp runs them, caches what they measured and
// prints it. Internal to the workers layer.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "interrupt.hpp"
#include "limits.hpp"
#include "shared_memory.hpp"

namespace parbench::limits_probes {

// One cache line of its own, bounced between two CPUs.
struct alignas(kCacheLine) Line {
  std::atomic<std::uint64_t> v{0};
};

double median(std::vector<double> v);
// Two new threads pinned to CPUs a and b (the caller keeps its own CPUs), started together;
// returns when both are done.
void run_pair(int a, int b, const std::function<void()>& first,
              const std::function<void()>& second);
std::string cpu_pair(int a, int b);

// `count` copies of `value`, filled 16 MiB at a time: filling half a GiB takes a second or more on
// a VM (every page faulted in), and a Ctrl-C must not wait for it.
template <typename T>
std::vector<T> filled(std::size_t count, T value) {
  constexpr std::size_t kChunk = (16 << 20) / sizeof(T);
  std::vector<T> v;
  v.reserve(count);
  while (v.size() < count) {
    throw_if_interrupted();
    v.resize(std::min(count, v.size() + kChunk), value);
  }
  return v;
}

// Far larger than the last-level cache: 4 times it, 64 MiB to 512 MiB.
std::size_t dram_bytes();
// memcpy between two buffers of `bytes`, repeated until `total` bytes moved; 10^6 B/s.
double memcpy_mb_per_s(std::size_t bytes, std::size_t total);

// Each adds its limits to `out`.
void add_round_trips(std::vector<LimitValue>& out);
void add_ring_bandwidth(std::vector<LimitValue>& out);
void add_speedup_ceiling(std::vector<LimitValue>& out);
void add_memory_ceiling(std::vector<LimitValue>& out, std::size_t bytes);

double clock_read_ns();
double thread_create_join_ns();
double fork_exit_wait_ns();

}  // namespace parbench::limits_probes
