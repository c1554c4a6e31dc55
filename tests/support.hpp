#pragma once
// Helpers the tests share: what this process has left behind (children, /dev/shm and /dev/mqueue
// entries) and running the parbench binary.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "plan.hpp"
#include "rows_csv.hpp"
#include "workload_roles.hpp"

namespace parbench::test {

// Ends a test that cannot run on this machine as a skip, not a pass. Under CTest, which sets
// PARBENCH_SKIP_EXIT (tests/CMakeLists.txt), the process exits with that code and CTest reports
// the test as skipped (SKIP_RETURN_CODE); run directly, the test warns and returns, and the binary
// lists it at the end and exits with 77 if nothing failed (test_main.cpp).
void exit_if_skipping(const std::string& reason);
const std::vector<std::pair<std::string, std::string>>& skipped_tests();
#define PARBENCH_SKIP(reason)                         \
  do {                                                \
    const std::string& skip_reason_ = (reason);       \
    ::parbench::test::exit_if_skipping(skip_reason_); \
    WARN("skipped: " << skip_reason_);                \
    return;                                           \
  } while (false)

// The report roles every registered workload declares, as a run writes them into meta.json.
WorkloadRoles registered_roles();

// A small finished report at PREFIX (sleep, one thread, 2 repetitions of 1 ms, no limits): for
// tests of what reads reports.
void write_small_report(const std::string& prefix);

// A file's whole content, and a JSON file parsed.
std::string slurp(const std::string& path);
nlohmann::json read_json(const std::string& path);

// Whether `program` is on PATH.
bool have_program(const std::string& program);

// PIDs whose parent is this process (zombies included).
std::vector<int> child_pids();
// Entries in /dev/shm and /dev/mqueue.
std::set<std::string> ipc_entries();
// The entries once they equal `before`, waiting up to 10 s: an MPI job of another test running
// at the same time (ctest -j) holds its shared-memory segments for its whole life; a leak of this
// test's stays.
std::set<std::string> ipc_entries_settled(const std::set<std::string>& before);

struct Exit {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};
// Runs build/parbench with args (no shell) in directory cwd; stdout and stderr captured.
Exit run_parbench(const std::vector<std::string>& args, const std::string& cwd = ".");
// Runs argv[0] (a path) with the rest as arguments, likewise.
Exit run_program(const std::vector<std::string>& argv, const std::string& cwd = ".");

// Starts build/parbench with args as the leader of its own process group (which its workers
// inherit), output to /dev/null, the environment plus `env` ("NAME=VALUE"); returns its pid, which
// is also its group. Does not wait.
int start_parbench(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
// Waits for a started process: its exit status, or 128 + the signal that killed it.
int wait_exit(int pid);

// Keeps the rows a run produces.
class MemorySink final : public RowSink {
 public:
  void write(const Row& row) override { rows.push_back(row); }
  std::vector<Row> rows;
};

// The rows of running `request`'s plan in this process.
std::vector<Row> run_request(const RunRequest& request);

// Entries named parbench.* in the temporary directory (FIFO directories of the fifo channel).
std::set<std::string> temp_entries();

// A fresh empty directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::vector<std::string> files() const;

 private:
  std::string path_;
};

}  // namespace parbench::test
