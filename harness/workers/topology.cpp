#include "topology.hpp"

#include <fmt/core.h>
#include <hwloc.h>
#include <sched.h>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <stdexcept>

namespace parbench {
namespace {

std::shared_ptr<hwloc_topology> load_hwloc(const std::string& synthetic) {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw std::runtime_error("hwloc_topology_init failed");
  std::shared_ptr<hwloc_topology> topo(raw, hwloc_topology_destroy);
  hwloc_topology_set_cache_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_ALL);
  if (!synthetic.empty() && hwloc_topology_set_synthetic(raw, synthetic.c_str()) != 0) {
    throw std::invalid_argument("hwloc cannot read the synthetic topology '" + synthetic + "'");
  }
  // Only the CPUs this process may run on (taskset, a cgroup's cpuset): every policy, the IPC
  // placements and the limits then stay inside them, and what needs more CPUs than that says so.
  if (synthetic.empty()) {
    hwloc_topology_set_flags(
        raw, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM | HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING);
  }
  if (hwloc_topology_load(raw) != 0) throw std::runtime_error("hwloc_topology_load failed");
  return topo;
}

int count_of(hwloc_topology_t t, hwloc_obj_type_t type) {
  const int n = hwloc_get_nbobjs_by_type(t, type);
  return n > 0 ? n : 0;
}

std::vector<CacheInfo> read_caches(hwloc_topology_t t) {
  std::map<std::pair<int, std::string>, CacheInfo> by_kind;
  for (int type = HWLOC_OBJ_L1CACHE; type <= HWLOC_OBJ_L3ICACHE; ++type) {
    const auto otype = static_cast<hwloc_obj_type_t>(type);
    if (hwloc_obj_type_is_cache(otype) == 0) continue;
    const int n = hwloc_get_nbobjs_by_type(t, otype);
    for (int i = 0; i < n; ++i) {
      hwloc_obj_t obj = hwloc_get_obj_by_type(t, otype, static_cast<unsigned>(i));
      if (obj == nullptr || obj->attr == nullptr) continue;
      const auto& c = obj->attr->cache;
      const char* kind = c.type == HWLOC_OBJ_CACHE_DATA          ? "data"
                         : c.type == HWLOC_OBJ_CACHE_INSTRUCTION ? "instruction"
                                                                 : "unified";
      auto& info = by_kind[{static_cast<int>(c.depth), kind}];
      info.level = static_cast<int>(c.depth);
      info.type = kind;
      info.size_bytes = c.size;
      ++info.count;
    }
  }
  std::vector<CacheInfo> out;
  for (auto& [key, info] : by_kind) out.push_back(info);
  return out;
}

// The OS numbers of the PUs inside each object of `type`, objects in logical order.
std::vector<std::vector<int>> pus_per(hwloc_topology_t t, hwloc_obj_type_t type) {
  std::vector<std::vector<int>> out;
  const int n = count_of(t, type);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t obj = hwloc_get_obj_by_type(t, type, static_cast<unsigned>(i));
    if (obj == nullptr || obj->cpuset == nullptr) continue;
    std::vector<int> pus;
    for (int p = 0; p < count_of(t, HWLOC_OBJ_PU); ++p) {
      hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, static_cast<unsigned>(p));
      if (pu != nullptr && hwloc_bitmap_isset(obj->cpuset, pu->os_index) != 0) {
        pus.push_back(static_cast<int>(pu->os_index));
      }
    }
    if (!pus.empty()) out.push_back(std::move(pus));  // a memory-only NUMA node has no CPUs
  }
  return out;
}

}  // namespace

Topology Topology::load(const std::string& synthetic) {
  Topology out;
  out.hwloc_ = load_hwloc(synthetic);
  hwloc_topology_t t = out.hwloc_.get();
  out.packages = count_of(t, HWLOC_OBJ_PACKAGE);
  out.numa_nodes = count_of(t, HWLOC_OBJ_NUMANODE);
  out.cores = count_of(t, HWLOC_OBJ_CORE);
  out.pus = count_of(t, HWLOC_OBJ_PU);
  // hwloc's logical order is depth-first through the tree, which is exactly "compact".
  for (int i = 0; i < out.pus; ++i) {
    if (hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, static_cast<unsigned>(i))) {
      out.pus_compact.push_back(static_cast<int>(pu->os_index));
    }
  }
  if (out.pus_compact.empty()) out.pus_compact = allowed_cpus();
  out.core_pus = pus_per(t, HWLOC_OBJ_CORE);
  // Without core objects (some virtual machines), each PU stands for a core.
  if (out.core_pus.empty()) {
    for (int pu : out.pus_compact) out.core_pus.push_back({pu});
  }
  out.numa_pus = pus_per(t, HWLOC_OBJ_NUMANODE);
  out.caches = read_caches(t);
  return out;
}

const Topology& Topology::get() {
  static const Topology topo = load("");
  return topo;
}

Topology Topology::synthetic(const std::string& description) { return load(description); }

std::vector<int> Topology::spread(int workers) const {
  if (workers <= 0 || pus_compact.empty() || !hwloc_) return {};
  // hwloc_distrib splits the tree evenly at every level, which is the definition of "spread".
  hwloc_topology_t t = hwloc_.get();
  const auto n = static_cast<unsigned>(std::min(workers, pus));
  std::vector<hwloc_bitmap_t> sets(n);
  hwloc_obj_t root = hwloc_get_root_obj(t);
  hwloc_distrib(t, &root, 1, sets.data(), n, INT_MAX, 0);
  std::vector<int> chosen;
  for (auto& set : sets) {
    hwloc_bitmap_singlify(set);
    chosen.push_back(hwloc_bitmap_first(set));
    hwloc_bitmap_free(set);
  }
  std::vector<int> out;
  for (int i = 0; i < workers; ++i)
    out.push_back(chosen[static_cast<std::size_t>(i) % chosen.size()]);
  return out;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
  }
  return out;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::vector<int> sorted = cpus;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string out;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", sorted[i]) : fmt::format("{}-{}", sorted[i], sorted[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace parbench
