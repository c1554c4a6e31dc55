// pyfunc: a user's own Python function, on py_thread (threading) and py_process (multiprocessing),
// to answer "threads or processes for my code, and how much faster": each worker calls
// target(index, workers, **kwargs) once in the timed region (scripts/py/parbench_func.py) and the
// optional check function verifies the return values. The target is checked once before the run
// (it imports, it is callable, the interpreter and start method exist): exit 2 when it is not.
#include <fmt/core.h>

#include <mutex>
#include <set>

#include "bad_input.hpp"
#include "python_bridge.hpp"
#include "scripts_dir.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

// On the C++ backends there is nothing to run: each case is one unsupported row.
class NoCppVersion final : public Experiment {
 public:
  void before_rep(const RepInfo& rep) override {
    throw Unsupported(fmt::format(
        "pyfunc runs a Python function: on py_thread and py_process, not on {}", rep.backend));
  }
  void work(const WorkerContext& /*ctx*/) override {}
  Metrics after_rep(const RepInfo& /*rep*/, const RunResult& /*run*/) override { return {}; }
  [[nodiscard]] double work_units(const RepInfo& /*rep*/) const override { return 1; }
};

// The parameters that decide whether the target can run (scaling does not).
std::vector<std::pair<std::string, std::string>> declaration(const ParamValues& params) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* name : {"target", "path", "check", "kwargs", "start"})
    out.emplace_back(name, params.get(name));
  return out;
}

class PyFunc final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "pyfunc"; }
  [[nodiscard]] std::string_view summary() const override {
    return "your Python function: target(index, workers, **kwargs) on threads and processes; "
           "the GIL's verdict and the machine's ceiling";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "jobs"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::text("target",
                        "MODULE:FUNCTION (imported from path) or FILE.py:FUNCTION, called as "
                        "f(index, workers, **kwargs)",
                        {examples_dir() + "/python/own_code.py:count_primes"}),
        ParamSpec::text("path", "the directory MODULE is imported from", {"."}),
        ParamSpec::text("check",
                        "check(results, workers, **kwargs) -> None/True or False/a message: "
                        "FUNCTION of the target's module or MODULE:FUNCTION; auto: check_<target> "
                        "when the module has it; none",
                        {"auto"}),
        ParamSpec::text("kwargs", "a JSON object of keyword arguments for target and check",
                        {"{}"}),
        ParamSpec::choice("scaling",
                          "strong: the calls split one job (the function divides by workers); "
                          "weak: each call is a whole job",
                          {"strong"}, {"strong", "weak"}),
        ParamSpec::choice("start",
                          "py_process's multiprocessing start method (default: the "
                          "interpreter's); py_thread runs only with default",
                          {"default"}, {"default", "fork", "spawn", "forkserver"}),
        ParamSpec::text("python",
                        "the interpreter: default ($PARBENCH_PYTHON, else python3), a name on PATH "
                        "or a path (a virtualenv's bin/python)",
                        {"default"})};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    return {{"checked", "1 when a check function verified the results, 0 when none did",
             MetricSpec::Better::Higher}};
  }
  [[nodiscard]] ReportRole report_role() const override { return {"", "", std::nullopt, "python"}; }
  [[nodiscard]] std::vector<std::string> default_backends() const override {
    return {"py_thread", "py_process"};
  }
  void check_params(const ParamValues& params) const override {
    auto decl = declaration(params);
    const std::string key =
        fmt::format("{}|{}|{}|{}|{}|{}", params.get("python"), decl[0].second, decl[1].second,
                    decl[2].second, decl[3].second, decl[4].second);
    const std::lock_guard lock(checked_mutex_);
    if (checked_.contains(key)) return;
    describe_python(params.get("python"), decl);  // throws BadInput
    checked_.insert(key);
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"target", examples_dir() + "/python/own_code.py:io_wait"},
            {"kwargs", R"({"waits": 2, "ms": 1})"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& /*info*/) const override {
    return std::make_unique<NoCppVersion>();
  }

 private:
  mutable std::mutex checked_mutex_;
  mutable std::set<std::string> checked_;  // declarations already found to run
};

}  // namespace

std::unique_ptr<Workload> make_pyfunc() { return std::make_unique<PyFunc>(); }

}  // namespace parbench
