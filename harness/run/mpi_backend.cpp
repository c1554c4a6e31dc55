// mpi: one worker per rank of an mpirun job. Rank 0 hands each repetition to the ranks
// (mpi_runner.hpp); the workers share no memory, so only workloads that need none run here.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "backend.hpp"
#include "bad_input.hpp"
#include "machine.hpp"
#include "mpi_runner.hpp"
#include "mpi_world.hpp"
#include "plan.hpp"
#include "report_meta.hpp"

namespace parbench {
namespace {

// The host column of an mpi row: each worker's host joined by '+', or one name when they agree.
std::string hosts_column(const std::vector<std::string>& hosts) {
  if (std::all_of(hosts.begin(), hosts.end(), [&](const auto& h) { return h == hosts.front(); }))
    return hosts.empty() ? host_name() : hosts.front();
  return fmt::format("{}", fmt::join(hosts, "+"));
}

// Under mpirun: MPI for the whole command. Ranks other than 0 follow rank 0's plan; rank 0
// releases them however it leaves (they wait for its next case), then every rank finalizes.
class MpiSession final : public BackendSession {
 public:
  MpiSession() {
    mpi::init(nullptr, nullptr);
    binding_ = mpi::release_launcher_binding();
  }
  ~MpiSession() override {
    if (mpi::rank() == 0) {
      try {
        mpi_release_followers();
      } catch (const std::exception& e) {
        fmt::print(stderr, "parbench: releasing the other MPI ranks: {}\n", e.what());
      }
    }
    mpi::finalize();
  }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] bool follower() const override { return mpi::rank() != 0; }
  // Every rank built the same plan; rank 0 says which of its cases to run and writes the files.
  void follow(const RunPlan& plan) const override { mpi_follow(plan); }
  void describe(RunMeta& run) const override {
    run.mpi = {{"library", mpi::describe()}, {"ranks", mpi::size()}, {"hosts", mpi::hosts()}};
    if (!binding_.empty()) run.mpi["binding"] = binding_;
  }
  void on_job_end(const LastWords& write) const override { set_mpi_job_end(write); }
  void end_lost_job() const override { mpi::abort(1); }

 private:
  std::string binding_;
};

class MpiBackend final : public Backend {
 public:
  [[nodiscard]] std::string_view name() const override { return "mpi"; }
  [[nodiscard]] std::string_view description() const override {
    return "one worker per MPI rank: mpirun -np N parbench run ... --backend mpi";
  }
  [[nodiscard]] BackendTraits traits() const override {
    return BackendTraits{.crosses_hosts = true};
  }
  [[nodiscard]] std::string unavailable() const override {
    return mpi::compiled() ? std::string() : mpi::unavailable_reason();
  }

  // The workload's usual counts up to the ranks of the job.
  [[nodiscard]] std::vector<int> default_workers(const Workload& w,
                                                 std::vector<int> /*usual*/) const override {
    std::vector<int> counts = w.default_workers(mpi::size());
    std::erase_if(counts, [](int n) { return n > mpi::size(); });
    if (counts.empty()) counts.push_back(std::min(mpi::size(), w.default_workers(1).front()));
    return counts;
  }

  void check_workers(int workers) const override {
    if (mpi::initialized() && workers > mpi::size()) {
      throw BadInput(fmt::format(
          "--workers: {} is not allowed on the mpi backend, which runs one worker per MPI rank "
          "and has {} here; run it under mpirun -np {} or more",
          workers, mpi::size(), workers));
    }
  }

  [[nodiscard]] std::string unsupported(const Workload& w, int workers) const override {
    if (!mpi::compiled()) return mpi::unavailable_reason();
    if (!w.runs_on_mpi()) {
      return fmt::format(
          "{} keeps its workers' shared state in shared memory, which MPI ranks on different "
          "hosts do not have; on mpi: cpu_sum, ipc_pingpong, ipc_stream",
          w.name());
    }
    if (!mpi::initialized()) return mpi::unavailable_reason();
    if (workers > mpi::size()) {
      return fmt::format("{} workers need {} MPI ranks; this job has {} (mpirun -np {})", workers,
                         workers, mpi::size(), workers);
    }
    return {};
  }

  // The hosts of the ranks the case uses (ranks 0 .. workers - 1), so that an error row of a case
  // across hosts joins that case.
  [[nodiscard]] std::string host_of(const Case& c) const override {
    if (!mpi::initialized() || c.workers > mpi::size()) return host_name();
    const auto& all = mpi::hosts();
    return hosts_column(std::vector<std::string>(all.begin(), all.begin() + c.workers));
  }

  [[nodiscard]] RepResult run_rep(const RepContext& ctx) const override {
    const RepInfo info = ctx.info();
    ctx.exp.before_rep(info);
    std::vector<std::string> hosts;
    RepResult out;
    out.run = mpi_run_rep(ctx.plan, ctx.group, ctx.case_index, ctx.exp, hosts, ctx.last_words);
    if (!out.run.ok()) return out;
    out.host = hosts_column(hosts);
    out.metrics = ctx.exp.after_rep(info, out.run);
    out.work_units = ctx.exp.work_units(info);
    return out;
  }

  // Only a process mpirun started opens MPI; anywhere else the mpi cases are unsupported.
  [[nodiscard]] std::unique_ptr<BackendSession> open_session() const override {
    if (!mpi::compiled() || !mpi::launched_by_mpirun()) return nullptr;
    return std::make_unique<MpiSession>();
  }
};

}  // namespace

std::unique_ptr<Backend> make_mpi_backend() { return std::make_unique<MpiBackend>(); }

}  // namespace parbench
