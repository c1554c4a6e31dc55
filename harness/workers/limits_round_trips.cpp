// Cache-line and futex round trips between two pinned threads: the yardsticks of spinning and
// blocking IPC and of locks.
#include <fmt/core.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "clock.hpp"
#include "futex.hpp"
#include "interrupt.hpp"
#include "limits_probes.hpp"
#include "run_workers.hpp"
#include "stats.hpp"

namespace parbench::limits_probes {
namespace {

constexpr int kSpinRoundTrips = 20'000;

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
// round trips in which both sides really slept: what a blocking channel can reach. When fewer
// than 100 of them slept on both sides the wake-up cannot be told from the spin, and the limit is
// unsupported with that reason (it used to fall back to all round trips, spins included, and
// read low).
struct FutexRtt {
  std::optional<double> ns;
  std::string why_not;
};
FutexRtt futex_rtt(int a, int b) {
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
  if (a == b) return {median(std::move(rtt)), ""};  // on one CPU every round trip switches twice
  constexpr std::size_t kLeastWoken = 100;
  if (woken.size() < kLeastWoken) {
    return {std::nullopt,
            fmt::format("only {} of {} round trips slept on both sides (at least {} needed to time "
                        "a wake-up apart from a spin)",
                        woken.size(), rtt.size(), kLeastWoken)};
  }
  std::sort(woken.begin(), woken.end());
  return {quantile_sorted(woken, 0.10), ""};
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

}  // namespace

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
  const auto futex = [&](const char* placement, const std::pair<int, int>& cpus) {
    const FutexRtt r = futex_rtt(cpus.first, cpus.second);
    out.push_back(
        {"futex_rtt_ns", placement, cpu_pair(cpus.first, cpus.second), 0, r.ns, "ns", r.why_not});
  };
  if (same) futex("same_core", *same);
  if (!cross) {
    out.push_back({"futex_rtt_ns", "cross_core", "", 0, std::nullopt, "ns", no_pair});
    out.push_back({"futex_rtt_ns", "cross_core_busy", "", 0, std::nullopt, "ns", no_pair});
    return;
  }
  throw_if_interrupted();
  futex("cross_core", *cross);
  throw_if_interrupted();
  const BusyCpu busy(cross->second);
  futex("cross_core_busy", *cross);
}

}  // namespace parbench::limits_probes
