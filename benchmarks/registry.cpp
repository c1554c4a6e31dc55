#include "registry.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "bad_input.hpp"
#include "workload_list.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<Workload> make_##name();
PARBENCH_WORKLOADS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

namespace {

// Makers registered before main, kept until the registry is first built.
std::vector<WorkloadMaker>& registered_makers() {
  static std::vector<WorkloadMaker> makers;
  return makers;
}

// Problems found while registering (a short-form spec without a work function), said at start.
std::vector<std::string>& registration_problems() {
  static std::vector<std::string> problems;
  return problems;
}

struct WorkloadRegistry {
  std::vector<std::unique_ptr<Workload>> all;
  std::size_t builtin = 0;  // the first `builtin` of `all` are parbench's own
  std::vector<std::string> problems;
};

std::vector<std::string> find_problems(const WorkloadRegistry& r) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < r.all.size(); ++i) {
    const Workload& w = *r.all[i];
    if (w.name().empty()) problems.emplace_back("a workload has an empty name");
    for (std::size_t j = 0; j < i; ++j) {
      if (r.all[j]->name() != w.name()) continue;
      problems.push_back(
          fmt::format("workload '{}' is registered twice{}; give yours another name", w.name(),
                      j < r.builtin ? " (parbench has a built-in workload of that name)" : ""));
    }
    const auto params = w.params();
    for (std::size_t p = 0; p < params.size(); ++p) {
      for (std::size_t q = 0; q < p; ++q) {
        if (params[p].name == params[q].name) {
          problems.push_back(
              fmt::format("workload '{}' declares parameter '{}' twice", w.name(), params[p].name));
        }
      }
    }
  }
  return problems;
}

const WorkloadRegistry& workload_registry() {
  static const WorkloadRegistry registry = [] {
    WorkloadRegistry r;
#define PARBENCH_MAKER(name) r.all.push_back(make_##name());
    PARBENCH_WORKLOADS(PARBENCH_MAKER)
#undef PARBENCH_MAKER
    r.builtin = r.all.size();
    for (const auto& make : registered_makers()) r.all.push_back(make());
    r.problems = registration_problems();
    for (auto& p : find_problems(r)) r.problems.push_back(std::move(p));
    return r;
  }();
  return registry;
}

}  // namespace

const std::vector<std::unique_ptr<Workload>>& all_workloads() { return workload_registry().all; }

const Workload* find_workload(std::string_view name) {
  for (const auto& w : workload_registry().all) {
    if (w->name() == name) return w.get();
  }
  return nullptr;
}

bool is_user_workload(std::string_view name) {
  const auto& r = workload_registry();
  for (std::size_t i = r.builtin; i < r.all.size(); ++i) {
    if (r.all[i]->name() == name) return true;
  }
  return false;
}

bool register_workload(WorkloadMaker make) {
  registered_makers().push_back(std::move(make));
  return true;
}

void report_registration_problem(std::string problem) {
  registration_problems().push_back(std::move(problem));
}

void check_workload_registry() {
  const auto& problems = workload_registry().problems;
  if (!problems.empty()) throw BadInput(fmt::format("{}", fmt::join(problems, "; ")));
}

std::vector<int> Workload::default_workers(int cpus) const { return powers_of_two_up_to(cpus); }

std::vector<int> powers_of_two_up_to(int cpus) {
  std::vector<int> out;
  for (int w = 1; w <= cpus; w *= 2) out.push_back(w);
  if (out.empty() || out.back() != cpus) out.push_back(cpus);
  return out;
}

}  // namespace parbench
