#pragma once
// Helpers the tests share: what this process has left behind (children, /dev/shm and /dev/mqueue
// entries) and running the parbench binary.
#include <set>
#include <string>
#include <vector>

#include "rows_csv.hpp"

namespace parbench::test {

// PIDs whose parent is this process (zombies included).
std::vector<int> child_pids();
// Entries in /dev/shm and /dev/mqueue.
std::set<std::string> ipc_entries();

struct Exit {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};
// Runs build/parbench with args (no shell) in directory cwd; stdout and stderr captured.
Exit run_parbench(const std::vector<std::string>& args, const std::string& cwd = ".");
// Runs argv[0] (a path) with the rest as arguments, likewise.
Exit run_program(const std::vector<std::string>& argv, const std::string& cwd = ".");

// Keeps the rows a run produces.
class MemorySink final : public RowSink {
 public:
  void write(const Row& row) override { rows.push_back(row); }
  std::vector<Row> rows;
};

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
