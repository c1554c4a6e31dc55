#include "machine.hpp"

#include <fmt/core.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "build_info.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

nlohmann::json read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return nullptr;
  return line;
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

}  // namespace

nlohmann::json describe_machine() {
  const Topology& topo = Topology::get();
  utsname u{};
  uname(&u);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
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
      {"caches", caches},
      {"memory_bytes", static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE)},
      {"kernel", fmt::format("{} {} {}", u.sysname, u.release, u.machine)},
      {"cpufreq_governor",
       read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")},
      {"load_average", load_average()},
      {"compiler", build_info::compiler},
      {"build_type", build_info::build_type},
      {"sanitizers", build_info::sanitizers},
      {"git_revision", build_info::git_revision},
      {"parbench_version", build_info::version},
  };
}

std::string format_machine(const nlohmann::json& m) {
  auto str = [](const nlohmann::json& v) {
    return v.is_null() ? std::string("unknown") : v.is_string() ? v.get<std::string>() : v.dump();
  };
  std::ostringstream out;
  out << fmt::format("host             {}\n", str(m["hostname"]));
  out << fmt::format("cpu              {}{}\n", str(m["cpu_model"]),
                     m["virtualized"] == true ? " (virtual machine)" : "");
  out << fmt::format(
      "topology         {} package(s), {} NUMA node(s), {} core(s), {} hardware thread(s)\n",
      str(m["packages"]), str(m["numa_nodes"]), str(m["cores"]), str(m["hardware_threads"]));
  out << fmt::format("cpus             {} online, allowed {}\n", str(m["online_cpus"]),
                     str(m["allowed_cpus"]));
  for (const auto& c : m["caches"]) {
    out << fmt::format("cache            L{} {:<11} {:>6} KiB x {}\n", c["level"].get<int>(),
                       c["type"].get<std::string>(), c["size_bytes"].get<std::uint64_t>() / 1024,
                       c["count"].get<int>());
  }
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
  out << fmt::format("compiler         {}\n", str(m["compiler"]));
  out << fmt::format(
      "build            {}{}\n", str(m["build_type"]),
      str(m["sanitizers"]).empty() ? "" : " with sanitizers " + str(m["sanitizers"]));
  out << fmt::format("parbench         {} ({})\n", str(m["parbench_version"]),
                     str(m["git_revision"]));
  return out.str();
}

}  // namespace parbench
