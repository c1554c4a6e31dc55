// flock: flock(2) on a file, one open file description per worker (contends between threads too).
#include <sys/file.h>

#include "file_lock.hpp"

namespace parbench {
namespace {

class FlockKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "flock"; }
  [[nodiscard]] std::string_view description() const override {
    return "flock(2) whole-file lock, one open file per worker";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& /*arena*/,
                                             int max_workers) const override {
    return std::make_unique<FileLock>(max_workers, [](int fd, bool lock) {
      while (flock(fd, lock ? LOCK_EX : LOCK_UN) != 0) {
        if (errno != EINTR) throw_sys("flock");
      }
    });
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_flock() { return std::make_unique<FlockKind>(); }

}  // namespace parbench
