// parbench under a scheduler, end to end, on a private one-node Slurm cluster of this machine
// (scripts/slurm_local.sh; CTest stops it afterwards): srun with PMIx, an sbatch job from the
// template, and a job cancelled mid-run. Skipped, with the reason, where Slurm or munge is not
// installed, the daemons cannot start, or parbench was built without MPI.
#include <fmt/core.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "csv_reader.hpp"
#include "mpi_world.hpp"
#include "support.hpp"

using namespace parbench;
namespace fs = std::filesystem;

namespace {

const std::string kScripts = std::string(PARBENCH_SOURCE_DIR) + "/scripts";

// Starts the cluster (idempotent) and points this process's Slurm clients at it; the reason it
// cannot run, or "".
std::string start_cluster() {
  if (!mpi::compiled()) return "parbench was built without MPI: no mpi backend to launch";
  for (const char* program : {"srun", "sbatch", "scancel", "squeue", "slurmctld", "munged"}) {
    if (test::run_program({"/bin/sh", "-c", fmt::format("command -v {}", program)}).status != 0)
      return fmt::format("{} is not installed (scripts/setup.sh --test installs slurm-wlm)",
                         program);
  }
  const auto started = test::run_program({kScripts + "/slurm_local.sh", "start"});
  if (started.status != 0) return "the local Slurm cluster did not start: " + started.err;
  const auto conf = test::run_program({kScripts + "/slurm_local.sh", "env"});
  const std::string line = conf.out.substr(0, conf.out.find('\n'));
  setenv("SLURM_CONF", line.substr(line.find('=') + 1).c_str(), 1);
  // The jobs inherit this environment (srun's default, sbatch --export=ALL): under the sanitizers
  // the leak check is off, as in the mpirun tests, since Open MPI keeps its allocations until exit.
  const char* asan = std::getenv("ASAN_OPTIONS");
  setenv("ASAN_OPTIONS",
         fmt::format("{}{}detect_leaks=0", asan != nullptr ? asan : "", asan != nullptr ? ":" : "")
             .c_str(),
         1);
  return "";
}

// Every row of a report is whole and, where it ran, verified (status ok).
std::size_t ok_rows(const std::string& csv) {
  const CsvTable t = CsvTable::read(csv);
  const auto status = *t.column("status");
  std::size_t ok = 0;
  for (const auto& row : t.rows()) {
    INFO(csv << ": " << row[status]);
    REQUIRE(row.size() == t.header().size());
    if (row[status] == "ok") ++ok;
  }
  return ok;
}

// The job's state as squeue shows it, "" once it has left the queue.
std::string job_state(const std::string& id) {
  const auto q = test::run_program({"/usr/bin/squeue", "-h", "-j", id, "-o", "%T"});
  std::string s = q.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return q.status == 0 ? s : "";
}

}  // namespace

TEST_CASE(
    "under Slurm: srun with PMIx and an sbatch job write verified rows with the job's context",
    "[slurm]") {
  if (const auto why = start_cluster(); !why.empty()) PARBENCH_SKIP(why);
  test::TempDir dir;
  SECTION("srun --mpi=pmix -n 2") {
    const std::string prefix = dir.path() + "/srun";
    const auto e = test::run_program(
        {"/usr/bin/srun", "--mpi=pmix", "-n", "2", PARBENCH_BINARY, "run", "cpu_sum", "--backend",
         "mpi", "--param", "n=2e6", "--reps", "3", "--no-limits", "--quiet", "--out", prefix},
        dir.path());
    INFO(e.out << e.err);
    REQUIRE(e.status == 0);
    REQUIRE(ok_rows(prefix + ".csv") == std::size_t{2} * 3);  // 1 and 2 ranks, 3 repetitions
    const auto meta = test::read_json(prefix + ".meta.json");
    REQUIRE(meta["run"]["job"]["scheduler"] == "slurm");
    REQUIRE(meta["run"]["job"]["launcher"] == "srun + PMIx");
    REQUIRE(meta["run"]["job"]["tasks"] == "2");
    REQUIRE(meta["run"]["mpi"]["hosts"].size() == 2);
  }
  SECTION("sbatch --wait scripts/slurm/parbench.sbatch") {
    const std::string out = dir.path() + "/job";
    const auto e = test::run_program(
        {"/usr/bin/sbatch", "--wait", "--output", dir.path() + "/job-%j.out",
         fmt::format("--export=ALL,PARBENCH={},SUITE=quick,OUT={}", PARBENCH_BINARY, out),
         kScripts + "/slurm/parbench.sbatch"},
        dir.path());
    INFO(e.out << e.err);
    REQUIRE(e.status == 0);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    const std::string short_host = std::string(host).substr(0, std::string(host).find('.'));
    REQUIRE(ok_rows(fmt::format("{}/{}.csv", out, short_host)) > 0);
    REQUIRE(ok_rows(out + "/mpi.csv") > 0);
    const auto meta = test::read_json(out + "/mpi.meta.json");
    REQUIRE(meta["run"]["job"]["job_id"].is_string());
    REQUIRE(meta["run"]["job"]["partition"] == "local");
  }
}

TEST_CASE("a Slurm job cancelled mid-run keeps whole rows and leaves nothing behind", "[slurm]") {
  if (const auto why = start_cluster(); !why.empty()) PARBENCH_SKIP(why);
  test::TempDir dir;
  const auto ipc_before = test::ipc_entries();
  const std::string prefix = dir.path() + "/cancelled";
  const auto submitted = test::run_program(
      {"/usr/bin/sbatch", "--parsable", "--output", dir.path() + "/job.out",
       fmt::format("--wrap=exec {} run sleep ipc_pingpong --param ms=200 --param channel=shm_ring "
                   "--reps 100 --no-limits --quiet --out {}",
                   PARBENCH_BINARY, prefix)},
      dir.path());
  INFO(submitted.out << submitted.err);
  REQUIRE(submitted.status == 0);
  const std::string id = submitted.out.substr(0, submitted.out.find_first_of(";\n"));
  // Cancel once some rows are written.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream rows(prefix + ".csv");
    const auto lines = std::count(std::istreambuf_iterator<char>(rows), {}, '\n');
    if (lines >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(test::run_program({"/usr/bin/scancel", id}).status == 0);
  while (!job_state(id).empty() &&
         std::chrono::steady_clock::now() < deadline + std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(job_state(id).empty());
  REQUIRE(ok_rows(prefix + ".csv") >= 2);  // whole rows, the ones before the cancel
  const auto meta = test::read_json(prefix + ".meta.json");
  REQUIRE(meta["run"]["complete"] == false);
  REQUIRE_THAT(meta["run"]["ended_by"].get<std::string>(), Catch::Contains("SIGTERM"));
  // No process of the job is left: nothing runs with its report path on the command line.
  const auto left = test::run_program({"/usr/bin/pgrep", "-f", prefix});
  REQUIRE(left.out.empty());
  REQUIRE(test::ipc_entries_settled(ipc_before) == ipc_before);
}
