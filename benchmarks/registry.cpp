#include "registry.hpp"

#include "named_registry.hpp"
#include "workload_list.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<Workload> make_##name();
PARBENCH_WORKLOADS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

namespace {

const NamedRegistry<Workload>& workload_registry() {
#define PARBENCH_MAKER(name) &make_##name,
  static const NamedRegistry<Workload> workloads{PARBENCH_WORKLOADS(PARBENCH_MAKER)};
#undef PARBENCH_MAKER
  return workloads;
}

}  // namespace

const std::vector<std::unique_ptr<Workload>>& all_workloads() { return workload_registry().all(); }

const Workload* find_workload(std::string_view name) { return workload_registry().find(name); }

std::vector<int> Workload::default_workers(int cpus) const { return powers_of_two_up_to(cpus); }

std::vector<int> powers_of_two_up_to(int cpus) {
  std::vector<int> out;
  for (int w = 1; w <= cpus; w *= 2) out.push_back(w);
  if (out.empty() || out.back() != cpus) out.push_back(cpus);
  return out;
}

}  // namespace parbench
