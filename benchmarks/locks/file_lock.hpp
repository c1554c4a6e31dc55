#pragma once
// File locks need one open file description per worker: flock and OFD locks belong to the open
// file description, so two workers sharing one descriptor would never contend. The file is
// created nameless (unlinked at once: nothing can be left behind) and every worker reopens it
// through /proc/self/fd, which makes a new open file description, before the start gate.
#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lock.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace parbench {

class FileLock final : public Lock {
 public:
  using Op = std::function<void(int fd, bool lock)>;
  FileLock(int max_workers, Op op)
      : fds_(static_cast<std::size_t>(max_workers), -1), op_(std::move(op)) {
    std::string path = (std::filesystem::temp_directory_path() / "parbench.lock.XXXXXX").string();
    file_ = UniqueFd(check_sys(mkostemp(path.data(), O_CLOEXEC), "mkostemp"));
    unlink(path.c_str());
  }
  // Runs in the worker; a process worker closes its descriptor when it exits, the thread
  // sandbox when it exits.
  void attach(int worker) override {
    const std::string self = fmt::format("/proc/self/fd/{}", file_.get());
    fds_[static_cast<std::size_t>(worker)] =
        check_sys(open(self.c_str(), O_RDWR | O_CLOEXEC), "open(lock file)");
  }
  void lock(int worker) override { op_(fds_[static_cast<std::size_t>(worker)], true); }
  void unlock(int worker) override { op_(fds_[static_cast<std::size_t>(worker)], false); }

 private:
  UniqueFd file_;
  std::vector<int> fds_;
  Op op_;
};

}  // namespace parbench
