// Speedup ceilings: independent loops side by side against one alone, and the memory's: threads
// reading one array in slices, with the read bandwidth at every thread count.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <span>
#include <thread>

#include "busy_work.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "interrupt.hpp"
#include "limits_probes.hpp"
#include "read_words.hpp"
#include "run_workers.hpp"
#include "shared_memory.hpp"
#include "topology.hpp"

namespace parbench::limits_probes {
namespace {

// Wall time of `n` copies of the loop, pinned to `cpus`, started together.
double loops_ns(const std::vector<int>& cpus, std::uint64_t iterations) {
  std::atomic<int> ready{0};
  std::atomic<std::int64_t> start{0};
  std::vector<std::int64_t> end(cpus.size());
  std::vector<std::thread> threads;
  const int n = static_cast<int>(cpus.size());
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    threads.emplace_back([&, i] {
      pin_current_thread(cpus[i]);
      if (ready.fetch_add(1) + 1 == n) start.store(now_ns());
      while (start.load() == 0) cpu_relax();
      busy_loop(iterations);
      end[i] = now_ns();
    });
  }
  for (auto& t : threads) t.join();
  return static_cast<double>(*std::max_element(end.begin(), end.end()) - start.load());
}

// The counts of loops measured: every count up to 16 CPUs, then powers of two and the total.
std::vector<int> ceiling_counts(int cpus) {
  std::vector<int> out;
  for (int n = 1; n <= cpus; n = n < 16 ? n + 1 : n * 2) out.push_back(n);
  if (out.back() != cpus) out.push_back(cpus);
  return out;
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string list;
  for (int c : cpus) list += fmt::format("{}{}", list.empty() ? "" : "+", c);
  return list;
}

// `name` at every count of ceiling_counts: `alone()` against `together(cpus)`, each a wall time,
// the ratio scaled so that perfect scaling is n. `best`, when given, gets each count's CPUs and
// the best times of both sides.
using BestTimes = std::function<void(const std::vector<int>& placed, double one, double all)>;
void add_ceiling(std::vector<LimitValue>& out, const std::string& name,
                 const std::function<double(int)>& alone,
                 const std::function<double(const std::vector<int>&)>& together, bool same_work,
                 const BestTimes& best = {}) {
  for (int n : ceiling_counts(static_cast<int>(allowed_cpus().size()))) {
    const std::vector<int> placed = Topology::get().spread(n);
    if (n == 1) {  // one against itself, by definition
      out.push_back({name, "", cpu_list(placed), 1, 1.0, "x", ""});
      continue;
    }
    // Interleaved rounds; the best time of each side: what the machine allows when nothing else
    // gets in the way.
    double one = 0, all = 0;
    for (int round = 0; round < 3; ++round) {
      throw_if_interrupted();
      const double a = alone(placed.front()), t = together(placed);
      one = round == 0 ? a : std::min(one, a);
      all = round == 0 ? t : std::min(all, t);
    }
    // Independent loops each do the whole work: n times as much in the same time is n.
    out.push_back({name, "", cpu_list(placed), n, (same_work ? n : 1) * one / all, "x", ""});
    if (best) best(placed, one, all);
  }
}

// Wall time of the threads pinned to `cpus` summing `data` in equal slices, `passes` times.
double read_ns(const std::vector<int>& cpus, std::span<const std::uint64_t> data, int passes) {
  std::atomic<int> ready{0};
  std::atomic<std::int64_t> start{0};
  std::vector<std::int64_t> end(cpus.size());
  std::vector<std::uint64_t> sums(cpus.size());
  std::vector<std::thread> threads;
  const std::size_t slice = data.size() / cpus.size();
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    threads.emplace_back([&, i] {
      pin_current_thread(cpus[i]);
      if (ready.fetch_add(1) + 1 == static_cast<int>(cpus.size())) start.store(now_ns());
      while (start.load() == 0) cpu_relax();
      std::uint64_t s = 0;
      for (int p = 0; p < passes; ++p) {
        s += read_words(data.data() + i * slice, slice);
        asm volatile("" : "+r"(s) : : "memory");  // every pass reads the memory again
      }
      sums[i] = s;
      end[i] = now_ns();
    });
  }
  for (auto& t : threads) t.join();
  return static_cast<double>(*std::max_element(end.begin(), end.end()) - start.load());
}

// One thread on `cpu` reading the kind of memory workloads share (SharedArena: anonymous
// MAP_SHARED) as read_ns reads private memory, best of 3; 10^6 B/s. Beside memory_read_mb_per_s
// so that a memory-bound workload reading the arena is seen against both: on the KVM guest it was
// measured on, over five measurements, shared memory read 0.78-1.10x what private memory did.
double shared_read_mb_per_s(int cpu, std::size_t bytes, int passes) {
  const SharedRegion region(bytes);
  const std::span<std::uint64_t> data(static_cast<std::uint64_t*>(region.data()),
                                      bytes / sizeof(std::uint64_t));
  constexpr std::size_t kChunk = (16 << 20) / sizeof(std::uint64_t);
  for (std::size_t i = 0; i < data.size(); i += kChunk) {  // 16 MiB at a time, for Ctrl-C
    throw_if_interrupted();
    std::fill(data.begin() + static_cast<std::ptrdiff_t>(i),
              data.begin() + static_cast<std::ptrdiff_t>(std::min(data.size(), i + kChunk)), 1);
  }
  double best = read_ns({cpu}, data, passes);
  for (int round = 1; round < 3; ++round) best = std::min(best, read_ns({cpu}, data, passes));
  return static_cast<double>(bytes) * passes / best * 1e3;
}

}  // namespace

void add_speedup_ceiling(std::vector<LimitValue>& out) {
  // About 30 ms alone.
  std::uint64_t iterations = 1 << 20;
  const std::vector<int> cpus = allowed_cpus();
  while (loops_ns({cpus.front()}, iterations) < 30e6 && iterations < (1ULL << 36)) iterations *= 2;
  add_ceiling(
      out, "speedup_ceiling", [&](int cpu) { return loops_ns({cpu}, iterations); },
      [&](const std::vector<int>& placed) { return loops_ns(placed, iterations); }, true);
}

// The memory speedup ceiling, and the read bandwidth of 1 ... N threads: a memory-bound case's
// figure is its bandwidth against the bandwidth as many threads reach here, which does not depend
// on how fast its own 1-worker case happened to be.
void add_memory_ceiling(std::vector<LimitValue>& out, std::size_t bytes) {
  const std::vector<std::uint64_t> data = filled<std::uint64_t>(bytes / sizeof(std::uint64_t), 1);
  int passes = 1;
  const int first = allowed_cpus().front();
  while (read_ns({first}, data, passes) < 30e6 && passes < 64) passes *= 2;
  const double read = static_cast<double>(bytes) * passes;  // bytes per timed read
  const auto alone = [&](int cpu) { return read_ns({cpu}, data, passes); };
  std::vector<LimitValue> bandwidths;
  std::optional<std::pair<int, double>> one;  // one thread's CPU and best time, over every count
  add_ceiling(
      out, "memory_speedup_ceiling", alone,
      [&](const std::vector<int>& placed) { return read_ns(placed, data, passes); }, false,
      [&](const std::vector<int>& placed, double one_ns, double all_ns) {
        if (!one || one_ns < one->second) one = {placed.front(), one_ns};
        bandwidths.push_back({"memory_read_mb_per_s", "", cpu_list(placed),
                              static_cast<int>(placed.size()), read / all_ns * 1e3, "MB/s", ""});
      });
  if (!one) {  // one CPU: no count of two or more ran, so one thread alone, best of 3
    one = {first, alone(first)};
    for (int round = 1; round < 3; ++round) one->second = std::min(one->second, alone(first));
  }
  out.push_back({"memory_read_mb_per_s", "", std::to_string(one->first), 1,
                 read / one->second * 1e3, "MB/s", ""});
  out.insert(out.end(), bandwidths.begin(), bandwidths.end());
  out.push_back({"shared_memory_read_mb_per_s", "", std::to_string(one->first), 1,
                 shared_read_mb_per_s(one->first, bytes, passes), "MB/s", ""});
}

}  // namespace parbench::limits_probes
