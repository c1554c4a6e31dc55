#include "limits.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <system_error>

#include "build_info.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "interference.hpp"
#include "interrupt.hpp"
#include "limits_probes.hpp"
#include "text_utils.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

using limits_probes::add_memory_ceiling;
using limits_probes::add_ring_bandwidth;
using limits_probes::add_round_trips;
using limits_probes::add_speedup_ceiling;
using limits_probes::clock_read_ns;
using limits_probes::dram_bytes;
using limits_probes::fork_exit_wait_ns;
using limits_probes::memcpy_mb_per_s;
using limits_probes::thread_create_join_ns;

// CPU time of this process's threads and of the children it waited for (the probes fork some).
std::int64_t own_cpu_ns() {
  timespec self{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &self);
  return std::int64_t{self.tv_sec} * 1'000'000'000 + self.tv_nsec + reaped_children_cpu_ns();
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
  const auto stat0 = read_cpu_times();
  const std::int64_t own0 = own_cpu_ns();
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
    const auto load =
        interference_between(stat0, read_cpu_times(), own_cpu_ns() - own0, clock_tick_ns());
    for (LimitValue& v : got) {
      if (load && v.value) {
        v.other_load_pct = load->other_load_pct;
        v.steal_pct = load->steal_pct;
      }
    }
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
    if (v.other_load_pct) j["other_load_pct"] = *v.other_load_pct;
    if (v.steal_pct) j["steal_pct"] = *v.steal_pct;
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
      if (e.contains("other_load_pct") && e["other_load_pct"].is_number())
        v.other_load_pct = e["other_load_pct"].get<double>();
      if (e.contains("steal_pct") && e["steal_pct"].is_number())
        v.steal_pct = e["steal_pct"].get<double>();
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
  if (m.taken_under_load() > 0) {
    MachineLimits again = measure_limits();
    if (again.taken_under_load() < m.taken_under_load()) m = std::move(again);
  }
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

// The thresholds a run's rows are flagged noisy at (NoiseRule's defaults).
constexpr double kBusyOtherLoadPct = 20;
constexpr double kBusyStealPct = 5;

std::string LimitValue::under_load() const {
  if (other_load_pct.value_or(0) <= kBusyOtherLoadPct && steal_pct.value_or(0) <= kBusyStealPct)
    return "";
  return fmt::format("{:.0f}% other load, {:.0f}% steal", other_load_pct.value_or(0),
                     steal_pct.value_or(0));
}

std::size_t MachineLimits::taken_under_load() const {
  return static_cast<std::size_t>(std::count_if(
      values.begin(), values.end(), [](const LimitValue& v) { return !v.under_load().empty(); }));
}

std::string format_limits_table(const MachineLimits& limits) {
  std::size_t name_w = 4, where_w = 5;
  for (const auto& v : limits.values) {
    name_w = std::max(name_w, v.name.size());
    where_w = std::max(where_w, where(v).size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {}\n", "limit", name_w, "where", where_w, "value");
  for (const auto& v : limits.values) {
    const std::string busy = v.under_load();
    out +=
        fmt::format("{:<{}}  {:<{}}  {}{}{}\n", v.name, name_w, where(v), where_w, format_value(v),
                    v.unsupported.empty() ? "" : fmt::format(" ({})", v.unsupported),
                    busy.empty() ? "" : fmt::format(" (taken under load: {})", busy));
  }
  out += fmt::format("measured {} in {:.1f} s\n", limits.measured_at, limits.seconds);
  if (const std::size_t busy = limits.taken_under_load(); busy > 0) {
    out += fmt::format(
        "{} of them taken while the machine was busy (measured twice, the quieter kept): measure "
        "again on a quiet machine with 'parbench limits'\n",
        busy);
  }
  return out;
}

}  // namespace parbench
