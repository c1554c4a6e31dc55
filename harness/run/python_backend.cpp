// py_thread and py_process: the workload's Python version (python_bridge.hpp), one interpreter per
// repetition, timed under the harness's rules and reported in the same rows. A workload with a
// `python` parameter (pyfunc) picks the interpreter; the others run in the default one.
#include "python_backend.hpp"

#include <fmt/core.h>

#include <memory>
#include <string>

#include "backend.hpp"
#include "bad_input.hpp"
#include "plan.hpp"
#include "python_bridge.hpp"
#include "unique_list.hpp"

namespace parbench {
namespace {

class PythonBackend final : public Backend {
 public:
  PythonBackend(std::string name, std::string mode, BackendTraits traits)
      : name_(std::move(name)), mode_(std::move(mode)), traits_(traits) {}
  [[nodiscard]] std::string_view name() const override { return name_; }
  [[nodiscard]] std::string_view description() const override {
    return traits_.shares_address_space
               ? "Python threading workers in python3 (the reference, with its GIL)"
               : "Python multiprocessing workers (fork) in python3";
  }
  [[nodiscard]] BackendTraits traits() const override { return traits_; }
  [[nodiscard]] std::string unavailable() const override {
    return python_interpreter() ? std::string() : "no python3 on PATH";
  }

  [[nodiscard]] RepResult run_rep(const RepContext& ctx) const override {
    const CaseGroup& g = ctx.case_group();
    const Case& c = ctx.the_case();
    PythonRepSpec spec{mode_,  g.workload->name(), {}, g.params.get_or_empty("python"), c.workers,
                       c.cpus, ctx.plan.timeout};
    for (const auto& [name, value] : g.params.all()) spec.params.emplace_back(name, value);
    PythonRep rep = run_python_rep(spec);
    if (!rep.unsupported.empty()) throw Unsupported(rep.unsupported);
    return {std::move(rep.run), std::move(rep.metrics), rep.work_units, {}};
  }

 private:
  std::string name_, mode_;
  BackendTraits traits_;
};

}  // namespace

std::unique_ptr<Backend> make_py_thread_backend() {
  return std::make_unique<PythonBackend>(
      "py_thread", "thread",
      BackendTraits{
          .shares_address_space = true, .runs_python = true, .serializes_computation = true});
}

std::unique_ptr<Backend> make_py_process_backend() {
  return std::make_unique<PythonBackend>("py_process", "process",
                                         BackendTraits{.runs_python = true});
}

nlohmann::json interpreters_of(const RunPlan& plan) {
  std::vector<std::string> asked;
  for (const auto& g : plan.groups) {
    for (const auto& c : g.cases) {
      if (c.backend->traits().runs_python && c.unsupported.empty()) {
        const std::string python = g.params.get_or_empty("python");
        add_unique(asked, python.empty() ? "default" : python);
      }
    }
  }
  if (asked.empty()) return nullptr;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& choice : asked) {
    try {
      nlohmann::json d = describe_python(choice, {});
      d.erase("start_methods");
      out.push_back(std::move(d));
    } catch (const BadInput& e) {
      out.push_back({{"asked", choice}, {"error", e.what()}});
    }
  }
  return out;
}

}  // namespace parbench
