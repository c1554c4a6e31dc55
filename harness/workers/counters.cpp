#include "counters.hpp"

#include <fmt/core.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

namespace parbench {
namespace {

struct Opened {
  int fd = -1;
  std::string why;  // failure, or a restriction on what is counted
};

std::string paranoid_level() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string level;
  return in >> level ? level : "unknown";
}

// Counts the calling thread only (pid 0, any CPU, not inherited by threads it starts).
Opened open_counter(const CounterSpec& spec) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = spec.type;
  attr.config = spec.config;
  attr.disabled = 1;
  attr.exclude_hv = 1;
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  auto try_open = [&] {
    return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
  };
  int fd = try_open();
  if (fd >= 0) return {fd, ""};
  if (errno == EACCES || errno == EPERM) {
    // perf_event_paranoid >= 2 allows unprivileged users to count their own user space only.
    attr.exclude_kernel = 1;
    fd = try_open();
    if (fd >= 0) {
      return {fd, fmt::format("user space only (perf_event_paranoid={})", paranoid_level())};
    }
  }
  const int err = errno;
  switch (err) {
    case ENOENT:
    case EOPNOTSUPP:
      return {-1, fmt::format("not exposed by this CPU or hypervisor ({})", strerrorname_np(err))};
    case ENOSYS:
      return {-1, "perf_event_open is not implemented here (ENOSYS)"};
    case EACCES:
    case EPERM:
      return {-1, fmt::format("not permitted (perf_event_paranoid={})", paranoid_level())};
    default:
      return {-1, fmt::format("perf_event_open: {}", strerror(err))};
  }
}

}  // namespace

const std::array<CounterSpec, kCounterCount>& counter_specs() {
  static const std::array<CounterSpec, kCounterCount> specs = {{
      {"cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
       "times a worker was moved to another CPU"},
      {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "CPU cycles"},
      {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions retired"},
      {"cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, "last-level cache misses"},
      {"branch_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, "mispredicted branches"},
  }};
  return specs;
}

std::vector<CounterStatus> probe_counters() {
  std::vector<CounterStatus> out;
  for (const auto& spec : counter_specs()) {
    const Opened o = open_counter(spec);
    if (o.fd >= 0) close(o.fd);
    out.push_back({std::string(spec.column), o.fd >= 0, o.why});
  }
  return out;
}

namespace {
std::atomic<bool> profiling_on{false};
}  // namespace

void set_profiling(bool on) { profiling_on.store(on, std::memory_order_relaxed); }
bool profiling() { return profiling_on.load(std::memory_order_relaxed); }

ThreadCounters ThreadCounters::none(std::string_view why) {
  ThreadCounters c{NoneTag{}};
  c.failures_.fill(std::string(why));
  return c;
}

ThreadCounters ThreadCounters::for_run() {
  if (!profiling()) return none(kProfilingOff);
  auto specs = counter_specs();
  specs[kCpuMigrations].type = PERF_TYPE_MAX;  // not opened: see thread_migrations
  ThreadCounters c(specs);
  c.failures_[kCpuMigrations] = "counted from /proc/thread-self/sched instead";
  return c;
}

std::optional<std::int64_t> thread_migrations() {
  std::ifstream in("/proc/thread-self/sched");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("se.nr_migrations")) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    try {
      return std::stoll(line.substr(colon + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

ThreadCounters::ThreadCounters(const std::array<CounterSpec, kCounterCount>& specs) {
  for (std::size_t i = 0; i < kCounterCount; ++i) {
    const Opened o = open_counter(specs[i]);
    fds_[i] = o.fd;
    if (o.fd < 0) failures_[i] = o.why;
  }
}

ThreadCounters::~ThreadCounters() {
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
}

ThreadCounters::ThreadCounters(ThreadCounters&& other) noexcept
    : fds_(other.fds_), failures_(std::move(other.failures_)) {
  other.fds_.fill(-1);
}

void ThreadCounters::start() {
  for (int fd : fds_) {
    if (fd < 0) continue;
    ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
  }
}

void ThreadCounters::stop() {
  for (int fd : fds_) {
    if (fd >= 0) ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
  }
}

CounterValues ThreadCounters::read() const {
  CounterValues out;
  for (std::size_t i = 0; i < kCounterCount; ++i) {
    if (fds_[i] < 0) continue;
    std::uint64_t v[3] = {};  // value, time enabled, time running
    if (::read(fds_[i], v, sizeof v) != static_cast<ssize_t>(sizeof v) || v[2] == 0) continue;
    // When more counters are open than the PMU has, the kernel time-shares them: scale the count
    // to the whole enabled time, as perf stat does.
    const double scaled =
        static_cast<double>(v[0]) * static_cast<double>(v[1]) / static_cast<double>(v[2]);
    out[i] = std::llround(scaled);
  }
  return out;
}

}  // namespace parbench
