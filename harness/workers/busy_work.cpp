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

void wide_loop(std::uint64_t iterations) {
  // Eight independent chains of multiplies, shifts, rotates and adds: more operations in flight
  // than the core can issue at once, so its speed is the core's issue rate, which a busy
  // hyperthread sibling or a host-side neighbour takes from it while a dependent chain hardly
  // notices.
  std::uint64_t a = iterations, b = a + 1, c = a + 2, d = a + 3, e = a + 5, f = a + 7, g = a + 11,
                h = a + 13;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    a = a * 6364136223846793005ULL + 1442695040888963407ULL;
    b = b * 6364136223846793005ULL + 1;
    c ^= c << 13;
    c ^= c >> 7;
    c ^= c << 17;
    d ^= d << 13;
    d ^= d >> 7;
    d ^= d << 17;
    e += i;
    e ^= e >> 3;
    f += e;
    f = (f << 5) | (f >> 59);
    g += a;
    h ^= b + g;
    asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
    asm volatile("" : "+r"(e), "+r"(f), "+r"(g), "+r"(h));
  }
}

namespace {

template <void (*Loop)(std::uint64_t)>
double measure_ns_per_iteration() {
  std::uint64_t n = 1 << 14;
  // Grow until one loop takes ~10 ms: the clock's own cost is then noise.
  while (n < (1ULL << 34)) {
    const std::int64_t t0 = now_ns();
    Loop(n);
    if (now_ns() - t0 >= 10'000'000) break;
    n *= 2;
  }
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    const std::int64_t t0 = now_ns();
    Loop(n);
    const double per = static_cast<double>(now_ns() - t0) / static_cast<double>(n);
    best = round == 0 ? per : std::min(best, per);
  }
  return best;
}

}  // namespace

double busy_ns_per_iteration() {
  static const double ns = measure_ns_per_iteration<busy_loop>();
  return ns;
}

double wide_ns_per_iteration() {
  static const double ns = measure_ns_per_iteration<wide_loop>();
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

std::optional<MachineSpeed> case_capacity(int workers, const std::vector<int>& pinned) {
  constexpr std::size_t kMostProbed = 8;
  std::vector<int> distinct;
  for (int cpu : pinned) {
    if (std::find(distinct.begin(), distinct.end(), cpu) == distinct.end()) distinct.push_back(cpu);
  }
  if (!distinct.empty()) return machine_capacity(distinct);
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.empty()) return std::nullopt;
  if (static_cast<std::size_t>(workers) >= allowed.size()) return machine_capacity(allowed);
  std::optional<MachineSpeed> slowest;
  for (std::size_t i = 0; i < std::min(allowed.size(), kMostProbed); ++i) {
    const auto speed = machine_capacity({allowed[i]});
    if (!speed) return std::nullopt;
    if (!slowest) {
      slowest = speed;
      continue;
    }
    slowest->capacity = std::min(slowest->capacity, speed->capacity);
    slowest->throughput = std::min(slowest->throughput, speed->throughput);
  }
  const auto n = static_cast<double>(std::max(workers, 1));
  return MachineSpeed{n * slowest->capacity, n * slowest->throughput};
}

std::optional<MachineSpeed> machine_capacity(const std::vector<int>& cpus) {
  constexpr double kProbeNs = 2e6;
  if (cpus.empty()) return std::nullopt;
  const auto chain = static_cast<std::uint64_t>(std::llround(kProbeNs / busy_ns_per_iteration()));
  const auto wide = static_cast<std::uint64_t>(std::llround(kProbeNs / wide_ns_per_iteration()));
  cpu_set_t saved;
  if (pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0) return std::nullopt;
  const auto n = static_cast<int>(cpus.size());
  std::atomic<int> ready{0}, halfway{0};
  std::atomic<bool> go{false}, pinned{true};
  // Both loops side by side on every CPU, the dependent chain first; the wide loop starts when
  // every chain is done, so that each is timed against copies of itself.
  std::vector<std::jthread> helpers;
  helpers.reserve(cpus.size() - 1);
  for (std::size_t i = 1; i < cpus.size(); ++i) {
    helpers.emplace_back([&, cpu = cpus[i]] {
      if (!pin_self(cpu)) pinned = false;
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      busy_loop(chain);
      halfway.fetch_add(1);
      while (halfway.load(std::memory_order_acquire) < n) {
      }
      wide_loop(wide);
    });
  }
  if (!pin_self(cpus[0])) pinned = false;
  while (ready.load() < n - 1) std::this_thread::yield();
  const std::int64_t t0 = now_ns();
  go.store(true, std::memory_order_release);
  busy_loop(chain);
  halfway.fetch_add(1);
  while (halfway.load(std::memory_order_acquire) < n) {
  }
  const std::int64_t t1 = now_ns();
  wide_loop(wide);
  for (auto& h : helpers) h.join();
  const std::int64_t t2 = now_ns();
  pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  if (!pinned || t1 <= t0 || t2 <= t1) return std::nullopt;
  return MachineSpeed{
      static_cast<double>(n) * kProbeNs / static_cast<double>(t1 - t0),
      static_cast<double>(n) * static_cast<double>(wide) / static_cast<double>(t2 - t1)};
}

}  // namespace parbench
