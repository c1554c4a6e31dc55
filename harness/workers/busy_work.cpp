#include "busy_work.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "clock.hpp"
#include "topology.hpp"

namespace parbench {

void busy_loop(std::uint64_t iterations) {
  std::uint64_t x = iterations;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));  // the compiler may neither fold nor drop the chain
  }
}

namespace {

double measure_ns_per_iteration() {
  std::uint64_t n = 1 << 16;
  // Grow until one loop takes ~10 ms: the clock's own cost is then noise.
  while (n < (1ULL << 34)) {
    const std::int64_t t0 = now_ns();
    busy_loop(n);
    if (now_ns() - t0 >= 10'000'000) break;
    n *= 2;
  }
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    const std::int64_t t0 = now_ns();
    busy_loop(n);
    const double per = static_cast<double>(now_ns() - t0) / static_cast<double>(n);
    best = round == 0 ? per : std::min(best, per);
  }
  return best;
}

}  // namespace

double busy_ns_per_iteration() {
  static const double ns = measure_ns_per_iteration();
  return ns;
}

namespace {

bool pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace

std::optional<double> case_capacity(int workers, const std::vector<int>& pinned) {
  constexpr std::size_t kMostProbed = 8;
  std::vector<int> distinct;
  for (int cpu : pinned) {
    if (std::find(distinct.begin(), distinct.end(), cpu) == distinct.end()) distinct.push_back(cpu);
  }
  if (!distinct.empty()) return machine_capacity(distinct);
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.empty()) return std::nullopt;
  if (static_cast<std::size_t>(workers) >= allowed.size()) return machine_capacity(allowed);
  std::optional<double> slowest;
  for (std::size_t i = 0; i < std::min(allowed.size(), kMostProbed); ++i) {
    const auto speed = machine_capacity({allowed[i]});
    if (!speed) return std::nullopt;
    slowest = slowest ? std::min(*slowest, *speed) : *speed;
  }
  return static_cast<double>(std::max(workers, 1)) * *slowest;
}

std::optional<double> machine_capacity(const std::vector<int>& cpus) {
  constexpr double kProbeNs = 2e6;
  if (cpus.empty()) return std::nullopt;
  const auto iterations =
      static_cast<std::uint64_t>(std::llround(kProbeNs / busy_ns_per_iteration()));
  cpu_set_t saved;
  if (pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0) return std::nullopt;
  const auto n = static_cast<int>(cpus.size());
  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, pinned{true};
  std::vector<std::jthread> helpers;
  helpers.reserve(cpus.size() - 1);
  for (std::size_t i = 1; i < cpus.size(); ++i) {
    helpers.emplace_back([&, cpu = cpus[i]] {
      if (!pin_self(cpu)) pinned = false;
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      busy_loop(iterations);
    });
  }
  if (!pin_self(cpus[0])) pinned = false;
  while (ready.load() < n - 1) std::this_thread::yield();
  const std::int64_t t0 = now_ns();
  go.store(true, std::memory_order_release);
  busy_loop(iterations);
  for (auto& h : helpers) h.join();
  const auto elapsed = static_cast<double>(now_ns() - t0);
  pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  if (!pinned || elapsed <= 0) return std::nullopt;
  return static_cast<double>(n) * kProbeNs / elapsed;
}

}  // namespace parbench
