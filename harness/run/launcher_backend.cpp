// thread and process: the workload's C++ Experiment in workers started by a WorkerLauncher, gated,
// timed and supervised by run_workers.
#include <memory>

#include "backend.hpp"
#include "plan.hpp"

namespace parbench {
namespace {

class LauncherBackend final : public Backend {
 public:
  LauncherBackend(const WorkerLauncher& launcher, BackendTraits traits)
      : launcher_(launcher), traits_(traits) {}
  [[nodiscard]] std::string_view name() const override { return launcher_.name(); }
  [[nodiscard]] std::string_view description() const override { return launcher_.description(); }
  [[nodiscard]] BackendTraits traits() const override { return traits_; }
  [[nodiscard]] bool runs_by_default() const override { return true; }

  [[nodiscard]] RepResult run_rep(const RepContext& ctx) const override {
    const Case& c = ctx.the_case();
    const RepInfo info = ctx.info();
    Experiment& exp = ctx.exp;
    exp.before_rep(info);
    const RunSpec spec{c.workers, c.cpus, ctx.plan.timeout,
                       [&exp](const WorkerContext& w) { exp.before_gate(w); }};
    RepResult out;
    out.run = run_workers(launcher_, spec, [&exp](const WorkerContext& w) { exp.work(w); });
    if (!out.run.ok()) return out;
    out.metrics = exp.after_rep(info, out.run);
    out.work_units = exp.work_units(info);
    return out;
  }

 private:
  const WorkerLauncher& launcher_;
  BackendTraits traits_;
};

}  // namespace

std::unique_ptr<Backend> make_thread_backend() {
  return std::make_unique<LauncherBackend>(thread_launcher(),
                                           BackendTraits{.shares_address_space = true});
}

std::unique_ptr<Backend> make_process_backend() {
  return std::make_unique<LauncherBackend>(process_launcher(), BackendTraits{});
}

}  // namespace parbench
