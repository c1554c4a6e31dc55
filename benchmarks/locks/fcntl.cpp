// fcntl: classic POSIX record locks (fcntl F_SETLKW). They belong to the process, so the threads
// of one process never contend for them: between threads this lock would not exclude anything,
// and it is reported as not applicable rather than measured as if it did.
#include "file_lock.hpp"

namespace parbench {
namespace {

void record_lock(int fd, bool lock) {
  struct flock fl {};
  fl.l_type = lock ? F_WRLCK : F_UNLCK;
  fl.l_whence = SEEK_SET;
  while (fcntl(fd, F_SETLKW, &fl) != 0) {
    if (errno != EINTR) throw_sys("fcntl(F_SETLKW)");
  }
}

class FcntlKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "fcntl"; }
  [[nodiscard]] std::string_view description() const override {
    return "classic POSIX record lock (fcntl F_SETLKW): processes only";
  }
  [[nodiscard]] std::optional<std::string> not_applicable(
      const BackendTraits& backend) const override {
    if (!backend.shares_address_space) return std::nullopt;
    return "fcntl record locks belong to the process: threads of one process never exclude each "
           "other";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& /*arena*/,
                                             int max_workers) const override {
    return std::make_unique<FileLock>(max_workers, record_lock);
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_fcntl() { return std::make_unique<FcntlKind>(); }

}  // namespace parbench
