// parbench list: workloads with their parameters (type, default, allowed values), metrics and
// default worker counts; suites; backends.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "backend.hpp"
#include "commands.hpp"
#include "mpi_world.hpp"
#include "python_names.hpp"
#include "registry.hpp"
#include "suites.hpp"
#include "topology.hpp"

namespace parbench::cli {
namespace {

template <class Range>
std::string join(const Range& v, const char* sep = ",") {
  return fmt::format("{}", fmt::join(v, sep));
}

int list_all(bool only_user) {
  const int cpus = static_cast<int>(allowed_cpus().size());
  fmt::print("{} (parbench run WORKLOAD --param NAME=V1,V2 ...)\n",
             only_user ? "This program's own workloads" : "Workloads");
  for (const auto& w : all_workloads()) {
    const bool user = is_user_workload(w->name());
    if (only_user && !user) continue;
    const std::vector<int> workers = w->default_workers(cpus);
    fmt::print("\n  {}  {}{}{}\n", w->name(), w->summary(), user ? " [this program's]" : "",
               w->checks_result() ? "" : " [declares no check of its result]");
    fmt::print("    default workers: {}; work unit: {}\n", join(workers), w->work_unit());
    for (const auto& p : w->params()) {
      fmt::print("    --param {:<9} {:<8} default {:<24} {}\n", p.name, p.type_name(),
                 join(p.defaults), p.allowed());
      fmt::print("      {}\n", p.help);
    }
    for (const auto& m : w->metrics()) {
      fmt::print("    metric  {:<18} ({} is better) {}\n", m.name,
                 m.better == MetricSpec::Better::Lower ? "lower" : "higher", m.help);
    }
  }
  if (only_user) return 0;
  fmt::print("\nSuites (parbench run SUITE)\n");
  for (const auto& s : all_suites()) {
    std::vector<std::string> names;
    for (const auto& e : s.entries) {
      if (std::find(names.begin(), names.end(), e.workload) == names.end())
        names.push_back(e.workload);
    }
    fmt::print("  {:<10} {}\n  {:<10} workloads: {}\n", s.name, s.description, "",
               join(names, ", "));
  }
  fmt::print("\nBackends (--backend)\n");
  for (const auto& b : all_backends()) {
    const std::string why = b->unavailable();
    fmt::print("  {:<10} {}{}{}\n", b->name(), b->description(),
               b->runs_by_default() ? "" : "; only when named",
               why.empty() ? "" : fmt::format(" (unavailable: {})", why));
  }
  fmt::print(
      "\nPinning (--pin): none, compact, spread, same-cpu, same-core, cross-core, cross-numa, or "
      "CPUs joined by '+' (e.g. 0+1, 0-3)\n");
  return 0;
}

}  // namespace

// Python's multiprocessing and threading words, and what measures each (python_names.hpp).
int list_python() {
  fmt::print("Python's names and what measures them (the capitalised words are --param aliases)\n");
  for (const auto& n : python_names()) {
    fmt::print("\n  {}\n    parbench run {}\n", n.construct, n.measure);
    if (!n.note.empty()) fmt::print("    {}\n", n.note);
  }
  return 0;
}

Command add_list(CLI::App& app) {
  auto python = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("list", "List workloads, their parameters, suites and backends");
  cmd->add_flag("--python", *python,
                "Python's multiprocessing and threading constructs and the workload, channel, lock "
                "and parameters that measure each");
  auto user = std::make_shared<bool>(false);
  cmd->add_flag("--user", *user,
                "Only the workloads this program registered itself (a binary built against the "
                "installed package); 'parbench run user' runs them all");
  return [python, user] { return *python ? list_python() : list_all(*user); };
}

}  // namespace parbench::cli
