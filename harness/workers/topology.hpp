#pragma once
// The machine's CPUs as hwloc sees them, restricted to the CPUs this process may run on.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct hwloc_topology;

namespace parbench {

struct CacheInfo {
  int level = 0;
  std::string type;  // "data", "instruction", "unified"
  std::uint64_t size_bytes = 0;
  int count = 0;  // how many of them the machine has
};

struct Topology {
  int packages = 0;
  int numa_nodes = 0;
  int cores = 0;
  int pus = 0;                   // hardware threads usable by this process
  std::vector<int> pus_compact;  // OS CPU numbers, siblings of one core next to each other
  // OS CPU numbers of each core's hardware threads, and of each NUMA node's, in hwloc's logical
  // order (cores of one package and cache next to each other).
  std::vector<std::vector<int>> core_pus;
  std::vector<std::vector<int>> numa_pus;
  std::vector<CacheInfo> caches;

  // OS CPU numbers for `workers` workers spread as far apart as the topology allows (packages, then
  // caches, then cores, then SMT siblings). Wraps around when workers exceed the PUs.
  [[nodiscard]] std::vector<int> spread(int workers) const;

  // This machine, loaded once per process.
  static const Topology& get();
  // A made-up machine in hwloc's synthetic syntax ("package:2 numa:1 core:4 pu:2"), for tests.
  static Topology synthetic(const std::string& description);

 private:
  static Topology load(const std::string& synthetic);  // "" for this machine
  std::shared_ptr<hwloc_topology> hwloc_;
};

// OS CPU numbers this process may run on (sched_getaffinity).
std::vector<int> allowed_cpus();
// "0-3,6" style, as the kernel prints CPU lists.
std::string format_cpu_list(const std::vector<int>& cpus);

}  // namespace parbench
