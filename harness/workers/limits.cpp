#include "limits.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <span>
#include <sstream>
#include <system_error>
#include <thread>

#include "build_info.hpp"
#include "busy_work.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "interrupt.hpp"
#include "read_words.hpp"
#include "run_workers.hpp"
#include "shared_memory.hpp"
#include "stats.hpp"
#include "text_utils.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

double median(std::vector<double> v) { return median_of(std::move(v)).value_or(0); }

// Two new threads pinned to CPUs a and b (the caller keeps its own CPUs), started together;
// returns when both are done.
void run_pair(int a, int b, const std::function<void()>& first,
              const std::function<void()>& second) {
  std::atomic<int> ready{0};
  auto body = [&](int cpu, const std::function<void()>& f) {
    pin_current_thread(cpu);
    ready.fetch_add(1);
    while (ready.load() < 2) cpu_relax();
    f();
  };
  std::thread t0(body, a, std::cref(first));
  std::thread t1(body, b, std::cref(second));
  t0.join();
  t1.join();
}

// --- round trips -----------------------------------------------------------------------------

constexpr int kSpinRoundTrips = 20'000;

struct alignas(kCacheLine) Line {
  std::atomic<std::uint64_t> v{0};
};

// One line: each side moves it from the other's value to its own with a CAS.
double cas_rtt(int a, int b) {
  Line line;
  std::vector<double> rtt(kSpinRoundTrips);
  run_pair(
      a, b,
      [&] {
        for (int i = 0; i < kSpinRoundTrips; ++i) {
          const std::int64_t t0 = now_ns();
          std::uint64_t want = 2ULL * i;
          while (!line.v.compare_exchange_weak(want, want + 1, std::memory_order_acq_rel)) {
            want = 2ULL * i;
            cpu_relax();
          }
          while (line.v.load(std::memory_order_acquire) != 2ULL * i + 2) cpu_relax();
          rtt[static_cast<std::size_t>(i)] = static_cast<double>(now_ns() - t0);
        }
      },
      [&] {
        for (int i = 0; i < kSpinRoundTrips; ++i) {
          std::uint64_t want = 2ULL * i + 1;
          while (!line.v.compare_exchange_weak(want, want + 1, std::memory_order_acq_rel)) {
            want = 2ULL * i + 1;
            cpu_relax();
          }
        }
      });
  return median(std::move(rtt));
}

// Two lines: each side stores into its own and polls the other's.
double load_store_rtt(int a, int b) {
  Line ping, pong;
  std::vector<double> rtt(kSpinRoundTrips);
  run_pair(
      a, b,
      [&] {
        for (int i = 1; i <= kSpinRoundTrips; ++i) {
          const std::int64_t t0 = now_ns();
          ping.v.store(static_cast<std::uint64_t>(i), std::memory_order_release);
          while (pong.v.load(std::memory_order_acquire) != static_cast<std::uint64_t>(i))
            cpu_relax();
          rtt[static_cast<std::size_t>(i - 1)] = static_cast<double>(now_ns() - t0);
        }
      },
      [&] {
        for (int i = 1; i <= kSpinRoundTrips; ++i) {
          while (ping.v.load(std::memory_order_acquire) != static_cast<std::uint64_t>(i))
            cpu_relax();
          pong.v.store(static_cast<std::uint64_t>(i), std::memory_order_release);
        }
      });
  return median(std::move(rtt));
}

struct alignas(kCacheLine) FutexWord {
  std::atomic<std::uint32_t> v{0};
  std::uint32_t* word() { return reinterpret_cast<std::uint32_t*>(&v); }
};

// Sleeps until `w` holds `want`; true when it really slept (was woken from FUTEX_WAIT) at least
// once, false when the value was there before it got to sleep.
bool sleep_until(FutexWord& w, std::uint32_t want) {
  bool slept = false;
  for (std::uint32_t seen = w.v.load(); seen != want; seen = w.v.load()) {
    if (syscall(SYS_futex, w.word(), FUTEX_WAIT, seen, nullptr, nullptr, 0) == 0) slept = true;
  }
  return slept;
}

// A blocking round trip: each side sets a word, wakes the other with FUTEX_WAKE and sleeps in
// FUTEX_WAIT until the answer, as a pipe's reader and writer do in the kernel. For about 0.15 s.
// On one CPU: the median. Across CPUs the times are bimodal on a VM: when the answer comes before
// a side gets to sleep nothing is woken (a spin, ~0.5 us), and a real wake-up costs more the
// deeper the other vCPU has gone idle. The limit there is the fast end (10th percentile) of the
// round trips in which both sides really slept: what a blocking channel can reach.
double futex_rtt(int a, int b) {
  constexpr std::uint32_t kMax = 20'000;
  FutexWord ping, pong;
  std::atomic<bool> stop{false};
  std::vector<double> rtt;
  std::vector<char> first_slept(kMax + 1), second_slept(kMax + 2);
  rtt.reserve(kMax);
  run_pair(
      a, b,
      [&] {
        const std::int64_t until = now_ns() + 150'000'000;
        for (std::uint32_t i = 1; i <= kMax && now_ns() < until; ++i) {
          const std::int64_t t0 = now_ns();
          ping.v.store(i);
          futex_wake(ping.word());
          first_slept[i] = static_cast<char>(sleep_until(pong, i));
          rtt.push_back(static_cast<double>(now_ns() - t0));
        }
        stop.store(true);
        ping.v.store(0);
        futex_wake(ping.word());
      },
      [&] {
        for (std::uint32_t i = 1; i <= kMax + 1; ++i) {
          bool slept = false;
          for (std::uint32_t seen = ping.v.load(); seen != i && !stop.load();
               seen = ping.v.load()) {
            if (syscall(SYS_futex, ping.word(), FUTEX_WAIT, seen, nullptr, nullptr, 0) == 0)
              slept = true;
          }
          if (stop.load()) return;
          second_slept[i] = static_cast<char>(slept);
          pong.v.store(i);
          futex_wake(pong.word());
        }
      });
  std::vector<double> woken;
  for (std::size_t i = 0; i < rtt.size(); ++i) {
    if (first_slept[i + 1] != 0 && second_slept[i + 1] != 0) woken.push_back(rtt[i]);
  }
  if (a == b) return median(std::move(rtt));  // on one CPU every round trip switches twice
  std::vector<double>& v = woken.size() >= 100 ? woken : rtt;
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, 0.10);
}

// A thread at SCHED_IDLE spinning on `cpu` for as long as it lives: the CPU is busy (not halted)
// but yields at once to anything else that wants it.
class BusyCpu {
 public:
  explicit BusyCpu(int cpu)
      : t_([this, cpu] {
          pin_current_thread(cpu);
          sched_param p{};
          pthread_setschedparam(pthread_self(), SCHED_IDLE, &p);
          while (!stop_.load(std::memory_order_relaxed)) cpu_relax();
        }) {}
  ~BusyCpu() {
    stop_.store(true);
    t_.join();
  }
  BusyCpu(const BusyCpu&) = delete;
  BusyCpu& operator=(const BusyCpu&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread t_;
};

// --- bandwidth -------------------------------------------------------------------------------

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

// --- speedup ceiling -------------------------------------------------------------------------

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

void add_speedup_ceiling(std::vector<LimitValue>& out) {
  // About 30 ms alone.
  std::uint64_t iterations = 1 << 20;
  const std::vector<int> cpus = allowed_cpus();
  while (loops_ns({cpus.front()}, iterations) < 30e6 && iterations < (1ULL << 36)) iterations *= 2;
  add_ceiling(
      out, "speedup_ceiling", [&](int cpu) { return loops_ns({cpu}, iterations); },
      [&](const std::vector<int>& placed) { return loops_ns(placed, iterations); }, true);
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
// so that a memory-bound workload reading the arena is seen against both (on the KVM guest it was
// measured on the two agreed within the noise: 33.8-36.7 against 33.0-33.5 GB/s).
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

// --- start-up costs --------------------------------------------------------------------------

double clock_read_ns() {
  constexpr int kReads = 1'000'000;
  std::vector<double> per;
  for (int round = 0; round < 3; ++round) {
    const std::int64_t t0 = now_ns();
    std::int64_t last = 0;
    for (int i = 0; i < kReads; ++i) last = now_ns();
    per.push_back(static_cast<double>(last - t0) / kReads);
  }
  return median(std::move(per));
}

double thread_create_join_ns() {
  std::vector<double> t;
  for (int i = 0; i < 200; ++i) {
    const std::int64_t t0 = now_ns();
    std::thread([] {}).join();
    t.push_back(static_cast<double>(now_ns() - t0));
  }
  return median(std::move(t));
}

double fork_exit_wait_ns() {
  std::vector<double> t;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t t0 = now_ns();
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", strerror(errno)));
    int status = 0;
    waitpid(pid, &status, 0);
    t.push_back(static_cast<double>(now_ns() - t0));
  }
  return median(std::move(t));
}

std::string cpu_pair(int a, int b) { return fmt::format("{}+{}", a, b); }

void add_round_trips(std::vector<LimitValue>& out) {
  const auto same = placement_cpus("same_core");
  const auto cross = placement_cpus("cross_core");
  const std::string one_cpu = "both on one CPU: a spinning round trip waits for the scheduler";
  const std::string no_pair = "needs two CPUs this process may use";
  for (const auto& [name, probe] :
       {std::pair<std::string, double (*)(int, int)>{"cacheline_cas_rtt_ns", cas_rtt},
        {"cacheline_rtt_ns", load_store_rtt}}) {
    out.push_back({name, "same_core", same ? cpu_pair(same->first, same->second) : "", 0,
                   std::nullopt, "ns", one_cpu});
    throw_if_interrupted();
    if (cross) {
      out.push_back({name, "cross_core", cpu_pair(cross->first, cross->second), 0,
                     probe(cross->first, cross->second), "ns", ""});
    } else {
      out.push_back({name, "cross_core", "", 0, std::nullopt, "ns", no_pair});
    }
  }
  if (same) {
    out.push_back({"futex_rtt_ns", "same_core", cpu_pair(same->first, same->second), 0,
                   futex_rtt(same->first, same->second), "ns", ""});
  }
  if (!cross) {
    out.push_back({"futex_rtt_ns", "cross_core", "", 0, std::nullopt, "ns", no_pair});
    out.push_back({"futex_rtt_ns", "cross_core_busy", "", 0, std::nullopt, "ns", no_pair});
    return;
  }
  const std::string pair = cpu_pair(cross->first, cross->second);
  throw_if_interrupted();
  out.push_back(
      {"futex_rtt_ns", "cross_core", pair, 0, futex_rtt(cross->first, cross->second), "ns", ""});
  throw_if_interrupted();
  const BusyCpu busy(cross->second);
  out.push_back({"futex_rtt_ns", "cross_core_busy", pair, 0, futex_rtt(cross->first, cross->second),
                 "ns", ""});
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

// Runs a probe into a list of its own. When this process cannot have the memory or the threads
// the probe needs (an address-space limit, ulimit -v), the limits it measures (`names`, with their
// units) are unsupported with the reason, and the other probes go on: a machine's limit is never
// bad input. A signal asking to stop is obeyed between probes.
void add_probe(std::vector<LimitValue>& out,
               std::initializer_list<std::pair<const char*, const char*>> names,
               const std::function<void(std::vector<LimitValue>&)>& probe) {
  throw_if_interrupted();
  std::vector<LimitValue> got;
  std::string why;
  try {
    probe(got);
  } catch (const std::bad_alloc&) {
    why =
        "this process could not allocate the probe's memory (an address-space limit such as "
        "ulimit -v, or too little free memory)";
  } catch (const std::system_error& e) {
    why = fmt::format("the probe could not start: {}", e.what());
  }
  if (why.empty()) {
    out.insert(out.end(), got.begin(), got.end());
    return;
  }
  for (const auto& [name, unit] : names) out.push_back({name, "", "", 0, std::nullopt, unit, why});
}

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// One file per key, so builds of one machine (Release, the sanitizer builds) keep their own.
std::filesystem::path cache_file(const std::string& key) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path dir = xdg != nullptr && *xdg != '\0' ? std::filesystem::path(xdg)
                              : home != nullptr ? std::filesystem::path(home) / ".cache"
                                                : std::filesystem::temp_directory_path();
  return dir / "parbench" / fmt::format("limits-{:016x}.json", fnv1a64(key));
}

// A cache that cannot be written costs a re-measurement next time, nothing else; what it leaves
// is the old cache or the new one, whole, and no temporary file (not even on a signal).
void save_cache(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::string tmp = (file.parent_path() / ".limits.XXXXXX.tmp").string();
  const int fd = ::mkostemps(tmp.data(), 4, O_CLOEXEC);
  if (fd < 0) return;
  const int slot = register_scratch_file(tmp);
  bool ok = true;
  for (std::string_view rest = text; ok && !rest.empty();) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ::close(fd) == 0 && ok;
  ok = ok && ::fchmodat(AT_FDCWD, tmp.c_str(), 0644, 0) == 0;
  ok = ok && std::rename(tmp.c_str(), file.c_str()) == 0;
  if (!ok) ::unlink(tmp.c_str());
  unregister_scratch_file(slot);
}

}  // namespace

std::optional<std::pair<int, int>> placement_cpus(std::string_view placement) {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.empty()) return std::nullopt;
  if (placement == "same_core") return std::pair{cpus.front(), cpus.front()};
  if (placement == "cross_core") {
    const std::vector<int> two = Topology::get().spread(2);
    if (two.size() == 2 && two[0] != two[1]) return std::pair{two[0], two[1]};
  }
  return std::nullopt;
}

std::optional<double> MachineLimits::get(std::string_view name, std::string_view placement) const {
  for (const auto& v : values) {
    if (v.name == name && v.placement == placement) return v.value;
  }
  return std::nullopt;
}

std::optional<double> MachineLimits::ceiling(std::string_view name, int workers) const {
  std::vector<std::pair<int, double>> points;
  for (const auto& v : values) {
    if (v.name == name && v.value) points.emplace_back(v.workers, *v.value);
  }
  if (points.empty() || workers < 1) return std::nullopt;
  std::sort(points.begin(), points.end());
  if (workers >= points.back().first) return points.back().second;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].first == workers) return points[i].second;
    if (points[i].first > workers && i > 0) {
      const auto [n0, c0] = points[i - 1];
      const auto [n1, c1] = points[i];
      return c0 + (c1 - c0) * (workers - n0) / (n1 - n0);
    }
  }
  return std::nullopt;
}

nlohmann::json MachineLimits::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : values) {
    nlohmann::json j = {{"name", v.name}, {"unit", v.unit}};
    if (!v.placement.empty()) j["placement"] = v.placement;
    if (!v.cpus.empty()) j["cpus"] = v.cpus;
    if (v.workers > 0) j["workers"] = v.workers;
    j["value"] = v.value ? nlohmann::json(*v.value) : nlohmann::json();
    if (!v.unsupported.empty()) j["unsupported"] = v.unsupported;
    list.push_back(std::move(j));
  }
  return {{"values", list}, {"measured_at", measured_at}, {"seconds", seconds}, {"key", key}};
}

MachineLimits MachineLimits::from_json(const nlohmann::json& j) {
  MachineLimits m;
  if (!j.is_object() || !j.contains("values") || !j["values"].is_array()) return m;
  try {
    for (const auto& e : j["values"]) {
      LimitValue v;
      v.name = e.value("name", "");
      v.placement = e.value("placement", "");
      v.cpus = e.value("cpus", "");
      v.workers = e.value("workers", 0);
      if (e.contains("value") && e["value"].is_number()) v.value = e["value"].get<double>();
      v.unit = e.value("unit", "");
      v.unsupported = e.value("unsupported", "");
      m.values.push_back(std::move(v));
    }
    m.measured_at = j.value("measured_at", "");
    m.seconds = j.value("seconds", 0.0);
    m.key = j.value("key", "");
  } catch (const nlohmann::json::exception&) {
    return {};
  }
  return m;
}

MachineLimits measure_limits() {
  MachineLimits m;
  const std::int64_t t0 = now_ns();
  m.measured_at = utc_now_iso8601();
  m.key = limits_key();
  auto& v = m.values;
  add_probe(v, {{"clock_read_ns", "ns"}}, [](auto& out) {
    out.push_back({"clock_read_ns", "", "", 0, clock_read_ns(), "ns", ""});
  });
  add_probe(v, {{"cacheline_cas_rtt_ns", "ns"}, {"cacheline_rtt_ns", "ns"}, {"futex_rtt_ns", "ns"}},
            add_round_trips);
  add_probe(v, {{"memcpy_l2_mb_per_s", "MB/s"}}, [](auto& out) {
    out.push_back(
        {"memcpy_l2_mb_per_s", "", "", 0, memcpy_mb_per_s(256 << 10, 256 << 20), "MB/s", ""});
  });
  add_probe(v, {{"memcpy_dram_mb_per_s", "MB/s"}}, [](auto& out) {
    const std::size_t dram = dram_bytes();
    out.push_back({"memcpy_dram_mb_per_s", "", "", 0, memcpy_mb_per_s(dram, 2 * dram), "MB/s", ""});
  });
  add_probe(v, {{"spsc_ring_4k_mb_per_s", "MB/s"}}, add_ring_bandwidth);
  add_probe(v, {{"speedup_ceiling", "x"}}, add_speedup_ceiling);
  add_probe(v,
            {{"memory_speedup_ceiling", "x"},
             {"memory_read_mb_per_s", "MB/s"},
             {"shared_memory_read_mb_per_s", "MB/s"}},
            [](auto& out) { add_memory_ceiling(out, dram_bytes()); });
  add_probe(v, {{"thread_create_join_ns", "ns"}}, [](auto& out) {
    out.push_back({"thread_create_join_ns", "", "", 0, thread_create_join_ns(), "ns", ""});
  });
  add_probe(v, {{"fork_exit_wait_ns", "ns"}}, [](auto& out) {
    out.push_back({"fork_exit_wait_ns", "", "", 0, fork_exit_wait_ns(), "ns", ""});
  });
  m.seconds = static_cast<double>(now_ns() - t0) * 1e-9;
  return m;
}

std::string limits_key() {
  std::string model;
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("model name")) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return fmt::format("boot {}; cpu {}; cpus {}; build {} {} {}; limits v2",
                     first_line("/proc/sys/kernel/random/boot_id"), model,
                     format_cpu_list(allowed_cpus()), build_info::build_type,
                     build_info::sanitizers, build_info::version);
}

MachineLimits cached_limits(bool refresh, const std::function<void()>& before_measuring) {
  const std::string key = limits_key();
  const std::filesystem::path file = cache_file(key);
  if (!refresh) {
    std::ifstream in(file);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    MachineLimits cached = MachineLimits::from_json(j);
    if (!cached.empty() && cached.key == key) return cached;
  }
  if (before_measuring) before_measuring();
  MachineLimits m = measure_limits();
  save_cache(file, m.to_json().dump(2) + "\n");
  return m;
}

namespace {

std::string format_value(const LimitValue& v) {
  if (!v.value) return "unsupported";
  if (v.unit == "ns") {
    const double ns = *v.value;
    if (ns >= 1e6) return fmt::format("{:.3g} ms", ns / 1e6);
    if (ns >= 1e3) return fmt::format("{:.3g} µs", ns / 1e3);
    return fmt::format("{:.3g} ns", ns);
  }
  if (v.unit == "MB/s") return fmt::format("{:.0f} MB/s", *v.value);
  return fmt::format("{:.2f}{}", *v.value, v.unit);
}

std::string where(const LimitValue& v) {
  std::string w = v.placement;
  if (v.workers > 0) w = fmt::format("{} worker{}", v.workers, v.workers == 1 ? "" : "s");
  if (!v.cpus.empty()) w += fmt::format("{}cpus {}", w.empty() ? "" : ", ", v.cpus);
  return w;
}

}  // namespace

std::string format_limits_table(const MachineLimits& limits) {
  std::size_t name_w = 4, where_w = 5;
  for (const auto& v : limits.values) {
    name_w = std::max(name_w, v.name.size());
    where_w = std::max(where_w, where(v).size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {}\n", "limit", name_w, "where", where_w, "value");
  for (const auto& v : limits.values) {
    out += fmt::format("{:<{}}  {:<{}}  {}{}\n", v.name, name_w, where(v), where_w, format_value(v),
                       v.unsupported.empty() ? "" : fmt::format(" ({})", v.unsupported));
  }
  out += fmt::format("measured {} in {:.1f} s\n", limits.measured_at, limits.seconds);
  return out;
}

}  // namespace parbench
