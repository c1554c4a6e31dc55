#include "registry.hpp"

#include "workload_list.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<Workload> make_##name();
PARBENCH_WORKLOADS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

const std::vector<std::unique_ptr<Workload>>& all_workloads() {
  static const auto workloads = [] {
    std::vector<std::unique_ptr<Workload>> v;
#define PARBENCH_ADD(name) v.push_back(make_##name());
    PARBENCH_WORKLOADS(PARBENCH_ADD)
#undef PARBENCH_ADD
    return v;
  }();
  return workloads;
}

const Workload* find_workload(std::string_view name) {
  for (const auto& w : all_workloads()) {
    if (w->name() == name) return w.get();
  }
  return nullptr;
}

std::vector<int> Workload::default_workers(int cpus) const { return powers_of_two_up_to(cpus); }

std::vector<int> powers_of_two_up_to(int cpus) {
  std::vector<int> out;
  for (int w = 1; w <= cpus; w *= 2) out.push_back(w);
  if (out.empty() || out.back() != cpus) out.push_back(cpus);
  return out;
}

}  // namespace parbench
