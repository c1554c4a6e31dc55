#include "machine.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <gnu/libc-version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "build_info.hpp"
#include "counters.hpp"
#include "interference.hpp"
#include "peak_rss.hpp"
#include "pinning.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

nlohmann::json read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return nullptr;
  return line;
}

// The bracketed choice of a sysfs multiple-choice file ("always [madvise] never" -> "madvise").
nlohmann::json sysfs_choice(const std::string& path) {
  const nlohmann::json line = read_first_line(path);
  if (!line.is_string()) return nullptr;
  const std::string text = line.get<std::string>();
  const auto open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return text;
  return text.substr(open + 1, close - open - 1);
}

// Simultaneous multithreading: "on", "off", or the kernel's word for why neither ("notsupported"
// on a VM that shows no sibling threads, "forceoff"); null without the sysfs file.
nlohmann::json smt_state() {
  const nlohmann::json control = read_first_line("/sys/devices/system/cpu/smt/control");
  if (!control.is_string()) return nullptr;
  const std::string c = control.get<std::string>();
  if (c == "on" || c == "off") {
    const nlohmann::json active = read_first_line("/sys/devices/system/cpu/smt/active");
    return active == "1" ? "on" : "off";
  }
  return c;
}

// Turbo / boost: "on" or "off" from intel_pstate's no_turbo or cpufreq's boost; null where the
// machine does not say (a VM usually does not).
nlohmann::json turbo_state() {
  const nlohmann::json no_turbo = read_first_line("/sys/devices/system/cpu/intel_pstate/no_turbo");
  if (no_turbo.is_string()) return no_turbo == "1" ? "off" : "on";
  const nlohmann::json boost = read_first_line("/sys/devices/system/cpu/cpufreq/boost");
  if (boost.is_string()) return boost == "1" ? "on" : "off";
  return nullptr;
}

// The -march the build asked for, or what it means when none was given.
std::string target_arch() {
  const std::string flags = build_info::compile_flags;
  const auto at = flags.find("-march=");
  if (at == std::string::npos) return "none given (the compiler's default target)";
  return flags.substr(at + 7, flags.find(' ', at) == std::string::npos
                                  ? std::string::npos
                                  : flags.find(' ', at) - at - 7);
}

nlohmann::json cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("model name")) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return nullptr;
}

nlohmann::json load_average() {
  std::ifstream in("/proc/loadavg");
  double l1 = 0, l5 = 0, l15 = 0;
  if (!(in >> l1 >> l5 >> l15)) return nullptr;
  return {{"1min", l1}, {"5min", l5}, {"15min", l15}};
}

nlohmann::json hypervisor() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("flags")) return line.find(" hypervisor") != std::string::npos;
  }
  return nullptr;
}

// What each profile column can report here: an unsupported one stays empty in every row.
nlohmann::json describe_profiling() {
  nlohmann::json counters = nlohmann::json::array();
  nlohmann::json unsupported = nlohmann::json::array();
  for (const auto& c : probe_counters()) {
    counters.push_back({{"column", c.column}, {"available", c.available}, {"detail", c.detail}});
    if (!c.available) unsupported.push_back(c.column);
  }
  const bool rss = reset_peak_rss() && peak_rss_kb().has_value();
  if (!rss) unsupported.push_back("max_rss_kb");
  const bool stat = read_cpu_times().has_value();
  if (!stat) {
    unsupported.push_back("steal_pct");
    unsupported.push_back("other_load_pct");
  }
  return {{"counters", counters},
          {"max_rss_kb", rss ? "VmHWM, reset per repetition through /proc/self/clear_refs"
                             : "unsupported: cannot reset VmHWM through /proc/self/clear_refs"},
          {"steal_pct", stat ? "/proc/stat, in clock ticks of 1/" +
                                   std::to_string(1'000'000'000 / clock_tick_ns()) + " s"
                             : "unsupported: /proc/stat unreadable"},
          {"unsupported_columns", unsupported}};
}

// The CPUs each pin policy gives two workers here (or why it cannot).
nlohmann::json describe_pinning(const Topology& topo) {
  nlohmann::json out = nlohmann::json::object();
  for (const char* name :
       {"compact", "spread", "same-cpu", "same-core", "cross-core", "cross-numa"}) {
    const PinPolicy p = PinPolicy::parse(name);
    if (auto why = p.unavailable(topo)) {
      out[name] = "unsupported: " + *why;
    } else {
      const auto cpus = p.assign(2, topo);
      out[name] = fmt::format("{}+{}", cpus[0], cpus[1]);
    }
  }
  return out;
}

}  // namespace

std::string host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

nlohmann::json describe_machine() {
  const Topology& topo = Topology::get();
  utsname u{};
  uname(&u);
  const std::string host = host_name();
  nlohmann::json caches = nlohmann::json::array();
  for (const auto& c : topo.caches) {
    caches.push_back(
        {{"level", c.level}, {"type", c.type}, {"size_bytes", c.size_bytes}, {"count", c.count}});
  }
  return {
      {"hostname", host},
      {"cpu_model", cpu_model()},
      {"virtualized", hypervisor()},
      {"packages", topo.packages},
      {"numa_nodes", topo.numa_nodes},
      {"cores", topo.cores},
      {"hardware_threads", topo.pus},
      {"online_cpus", sysconf(_SC_NPROCESSORS_ONLN)},
      {"allowed_cpus", format_cpu_list(allowed_cpus())},
      {"core_cpus", topo.core_pus},
      {"numa_node_cpus", topo.numa_pus},
      {"pinning_two_workers", describe_pinning(topo)},
      {"caches", caches},
      {"memory_bytes", static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE)},
      {"kernel", fmt::format("{} {} {}", u.sysname, u.release, u.machine)},
      {"cpufreq_governor",
       read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")},
      {"smt", smt_state()},
      {"transparent_hugepages", sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled")},
      {"turbo", turbo_state()},
      {"glibc", gnu_get_libc_version()},
      {"load_average", load_average()},
      {"profiling", describe_profiling()},
      {"compiler", build_info::compiler},
      {"compile_flags", build_info::compile_flags},
      {"march", target_arch()},
      {"build_type", build_info::build_type},
      {"sanitizers", build_info::sanitizers},
      {"git_revision", build_info::git_revision()},
      {"git_dirty", build_info::git_dirty()},
      {"parbench_version", build_info::version},
  };
}

namespace {

std::string str(const nlohmann::json& v) {
  return v.is_null() ? std::string("unknown") : v.is_string() ? v.get<std::string>() : v.dump();
}

// The CPUs of each core and NUMA node, and where each pin policy puts two workers.
void format_placement(const nlohmann::json& m, std::ostringstream& out) {
  auto cpu_lists = [](const nlohmann::json& lists) {
    std::vector<std::string> parts;
    for (const auto& l : lists) parts.push_back(format_cpu_list(l.get<std::vector<int>>()));
    return fmt::format("{}", fmt::join(parts, " | "));
  };
  if (!m.contains("core_cpus")) return;
  out << fmt::format("cores            {}  (CPUs of each core)\n", cpu_lists(m["core_cpus"]));
  out << fmt::format("numa nodes       {}  (CPUs of each node)\n", cpu_lists(m["numa_node_cpus"]));
  for (const auto& [policy, cpus] : m["pinning_two_workers"].items()) {
    const auto text = cpus.get<std::string>();
    out << fmt::format("pin {:<12} {}\n", policy,
                       text.starts_with("unsupported") ? text : "2 workers on CPUs " + text);
  }
}

void format_caches(const nlohmann::json& m, std::ostringstream& out) {
  for (const auto& c : m["caches"]) {
    // In the largest binary unit that divides it: 32 KiB, 1 MiB, 260 MiB, 1.5 MiB otherwise.
    const auto bytes = c["size_bytes"].get<std::uint64_t>();
    const std::string size = bytes % (std::uint64_t{1} << 20) == 0
                                 ? fmt::format("{} MiB", bytes >> 20U)
                             : bytes >= (std::uint64_t{1} << 20)
                                 ? fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20))
                                 : fmt::format("{} KiB", bytes / 1024);
    out << fmt::format("cache            L{} {:<11} {:>8} x {}\n", c["level"].get<int>(),
                       c["type"].get<std::string>(), size, c["count"].get<int>());
  }
}

// Each counter, available or why not.
void format_profiling(const nlohmann::json& m, std::ostringstream& out) {
  if (!m.contains("profiling")) return;
  const auto& p = m["profiling"];
  for (const auto& c : p["counters"]) {
    const std::string detail = c["detail"].get<std::string>();
    out << fmt::format("counter          {:<15} {}{}\n", c["column"].get<std::string>(),
                       c["available"].get<bool>() ? "available" : "unsupported",
                       detail.empty() ? "" : ": " + detail);
  }
  out << fmt::format("counter          {:<15} {}\n", "max_rss_kb", str(p["max_rss_kb"]));
  out << fmt::format("counter          {:<15} {}\n", "steal_pct", str(p["steal_pct"]));
}

}  // namespace

std::string format_machine(const nlohmann::json& m) {
  std::ostringstream out;
  out << fmt::format("host             {}\n", str(m["hostname"]));
  out << fmt::format("cpu              {}{}\n", str(m["cpu_model"]),
                     m["virtualized"] == true ? " (virtual machine)" : "");
  out << fmt::format(
      "topology         {} package(s), {} NUMA node(s), {} core(s), {} hardware thread(s)\n",
      str(m["packages"]), str(m["numa_nodes"]), str(m["cores"]), str(m["hardware_threads"]));
  out << fmt::format("cpus             {} online, allowed {}\n", str(m["online_cpus"]),
                     str(m["allowed_cpus"]));
  format_placement(m, out);
  format_caches(m, out);
  out << fmt::format("memory           {:.1f} GiB\n", m["memory_bytes"].get<double>() / (1 << 30));
  out << fmt::format("kernel           {}\n", str(m["kernel"]));
  out << fmt::format("governor         {}\n", m["cpufreq_governor"].is_null()
                                                  ? "not exposed (no cpufreq)"
                                                  : str(m["cpufreq_governor"]));
  const auto& l = m["load_average"];
  out << fmt::format("load             {}\n",
                     l.is_null() ? "unknown"
                                 : fmt::format("{} {} {} (1, 5, 15 min)", l["1min"].get<double>(),
                                               l["5min"].get<double>(), l["15min"].get<double>()));
  format_profiling(m, out);
  out << fmt::format("smt, thp, turbo  {}, {}, {}\n", str(m["smt"]),
                     str(m["transparent_hugepages"]), str(m["turbo"]));
  out << fmt::format("glibc            {}\n", str(m["glibc"]));
  out << fmt::format("compiler         {} (flags: {}; -march: {})\n", str(m["compiler"]),
                     str(m["compile_flags"]), str(m["march"]));
  out << fmt::format(
      "build            {}{}\n", str(m["build_type"]),
      str(m["sanitizers"]).empty() ? "" : " with sanitizers " + str(m["sanitizers"]));
  out << fmt::format("parbench         {} ({}{})\n", str(m["parbench_version"]),
                     str(m["git_revision"]),
                     m.value("git_dirty", false) ? ", uncommitted changes" : "");
  return out.str();
}

}  // namespace parbench
