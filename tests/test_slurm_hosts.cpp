// Slurm across two hosts on this machine (scripts/hosts_local.sh, then scripts/slurm_local.sh
// start --on-hosts: a slurmd in each host's namespaces, munged and slurmctld in the first): the
// sbatch template's suites on both nodes, its mpi step across them and the merged report; a
// two-node job cancelled mid-run leaving every node clean; and both scripts' stop leaving nothing.
// Run alone by CTest (multi_host_slurm); skipped with the reason where namespaces cannot be made or
// Slurm, munge or MPI is missing.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "hosts_fixture.hpp"
#include "mpi_world.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kSlurm = std::string(PARBENCH_SOURCE_DIR) + "/scripts/slurm_local.sh";
const std::vector<std::string> kNodes = {"pbnode1", "pbnode2"};

// CMD in HOST's namespaces (Slurm's clients reach slurmctld only from inside a host).
test::Exit in_host(const std::string& host, const std::vector<std::string>& cmd) {
  std::vector<std::string> argv = {test::kHostsScript, "run", host};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return test::run_program(argv);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "STATE EXITCODE" of a job as slurmctld knows it ("COMPLETED 0:0"), once it has left the queue;
// waits up to `limit` for that.
std::string wait_job(const std::string& id, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string state;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto e = in_host("pbnode1", {"scontrol", "show", "job", "-o", id});
    const auto field = [&](const std::string& key) {
      const auto at = e.out.find(" " + key + "=");
      if (at == std::string::npos) return std::string();
      const auto from = at + key.size() + 2;
      return e.out.substr(from, e.out.find_first_of(" \n", from) - from);
    };
    state = field("JobState") + " " + field("ExitCode");
    if (state.rfind("PENDING", 0) != 0 && state.rfind("RUNNING", 0) != 0 &&
        state.rfind("COMPLETING", 0) != 0 && state != " ")
      return state;
    std::this_thread::sleep_for(250ms);
  }
  return "still " + state + " after " + std::to_string(limit.count()) + " s";
}

std::string submit(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sbatch", "--parsable", "--nodes=2", "--ntasks-per-node=1"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto e = in_host("pbnode1", argv);
  INFO(e.out << e.err);
  REQUIRE(e.status == 0);
  return trimmed(e.out.substr(0, e.out.find(';')));
}

// The reason Slurm cannot run here, or "".
std::string slurm_missing() {
  if (!mpi::compiled()) return mpi::unavailable_reason();
  for (const char* program :
       {"srun", "sbatch", "scancel", "scontrol", "slurmctld", "slurmd", "munged"})
    if (!test::have_program(program))
      return fmt::format("{} is not installed (scripts/setup.sh --test installs slurm-wlm)",
                         program);
  return "";
}

}  // namespace

TEST_CASE(
    "Slurm on two hosts: per-node suites, an mpi step across them, a cancelled job, nothing left",
    "[hosts_slurm]") {
  if (const auto why = slurm_missing(); !why.empty()) PARBENCH_SKIP(why);
  unsetenv("PARBENCH_SLURM_DIR");  // the cluster's state goes with the hosts' (slurm/ in it)
  if (const auto why = test::start_two_hosts(); !why.empty()) PARBENCH_SKIP(why);
  const std::set<std::string> namespaces = test::host_namespaces();
  test::export_hosts_env();
  const auto started = test::run_program({kSlurm, "start", "--on-hosts"});
  INFO(started.out << started.err);
  REQUIRE(started.status == 0);
  const auto env = test::run_program({kSlurm, "env", "--on-hosts"});
  const std::string conf_line = env.out.substr(0, env.out.find('\n'));
  REQUIRE(conf_line.rfind("export SLURM_CONF=", 0) == 0);
  setenv("SLURM_CONF", conf_line.substr(conf_line.find('=') + 1).c_str(), 1);
  const fs::path out = test::hosts_work_dir() / "out";
  fs::create_directories(out);

  SECTION("the sbatch template: the suite on each node, cpu_sum across them, one merged report") {
    const std::string id =
        submit({"--output", (out / "job-%j.out").string(),
                fmt::format("--export=ALL,PARBENCH={},SUITE=quick,ARGS=--reps 3 --no-limits,OUT={}",
                            PARBENCH_BINARY, (out / "job").string()),
                std::string(PARBENCH_SOURCE_DIR) + "/scripts/slurm/parbench.sbatch"});
    const std::string state = wait_job(id, 150s);
    INFO(test::slurp((out / fmt::format("job-{}.out", id)).string()));
    REQUIRE(state == "COMPLETED 0:0");
    std::size_t node_rows = 0;
    for (const auto& node : kNodes) {
      const auto rows = test::rows_of(out / "job" / node);
      REQUIRE(rows.size() > 10);
      for (const Row& r : rows) {
        INFO(node << ": " << r.workload << " " << r.error);
        REQUIRE(r.ok());
        REQUIRE(r.host == node);  // each node's suite ran on that node
      }
      node_rows += rows.size();
    }
    std::size_t across = 0;
    for (const Row& r : test::rows_of(out / "job" / "mpi")) {
      REQUIRE(r.ok());
      REQUIRE(r.host == (r.workers == 1 ? "pbnode1" : "pbnode1+pbnode2"));
      if (r.workers == 2) ++across;
    }
    REQUIRE(across == 3);  // 2 ranks, one per node, 3 repetitions
    const auto meta = test::read_json((out / "job" / "mpi.meta.json").string());
    REQUIRE(meta["run"]["job"]["nodes"] == "2");
    REQUIRE(meta["run"]["job"]["node_list"] == "pbnode[1-2]");
    REQUIRE(meta["run"]["job"]["launcher"] == "srun + PMIx");
    std::set<std::string> merged_hosts;
    const auto merged = test::rows_of(out / "job" / "all");
    for (const Row& r : merged) merged_hosts.insert(r.host);
    REQUIRE(merged_hosts == std::set<std::string>(kNodes.begin(), kNodes.end()));
    REQUIRE(merged.size() == node_rows);
  }

  SECTION("scancel of a two-node job: whole rows on each node, no process or shared memory left") {
    const std::string prefix = (out / "cancelled").string();
    const std::string id = submit(
        {"--output", prefix + ".out",
         fmt::format("--wrap=srun bash -c 'exec {} run sleep ipc_pingpong --param ms=200 --param "
                     "channel=shm_ring --reps 100 --no-limits --quiet --out {}-$(hostname -s)'",
                     PARBENCH_BINARY, prefix)});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline &&
           (test::lines_in(prefix + "-pbnode1.csv") < 3 ||
            test::lines_in(prefix + "-pbnode2.csv") < 3))
      std::this_thread::sleep_for(200ms);
    REQUIRE(in_host("pbnode1", {"scancel", id}).status == 0);
    REQUIRE(wait_job(id, 60s).rfind("CANCELLED", 0) == 0);
    for (const auto& node : kNodes) {
      INFO(node << ": " << test::slurp(prefix + ".out"));
      const std::string on_node = fmt::format("{}-{}", prefix, node);
      std::size_t ok = 0;
      for (const Row& r : test::rows_of(on_node)) ok += r.ok() ? 1 : 0;
      REQUIRE(ok >= 2);  // whole rows, the ones before the cancel
      const auto meta = test::read_json(on_node + ".meta.json");
      REQUIRE(meta["run"]["complete"] == false);
      REQUIRE_THAT(meta["run"]["ended_by"].get<std::string>(), Catch::Contains("SIGTERM"));
      // The node's own /dev/shm: the shm_ring's segments removed.
      REQUIRE(in_host(node, {"ls", "-A", "/dev/shm"}).out.empty());
    }
    REQUIRE(test::run_program({"/usr/bin/pgrep", "-f", prefix}).out.empty());
  }

  const auto slurm_stopped = test::run_program({kSlurm, "stop", "--on-hosts"});
  INFO(slurm_stopped.out << slurm_stopped.err);
  REQUIRE(slurm_stopped.status == 0);
  for (const char* daemon : {"munged", "slurmctld", "slurmd"})
    REQUIRE(test::run_program({"/usr/bin/pgrep", "-f",
                               fmt::format("^{} .*{}", daemon, test::hosts_work_dir().string())})
                .out.empty());
  const auto stopped = test::hosts({"stop"});
  INFO(stopped.out << stopped.err);
  REQUIRE(stopped.status == 0);
  REQUIRE(test::host_leftovers(namespaces).empty());
  fs::remove_all(test::hosts_work_dir());
}
