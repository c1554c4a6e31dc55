// ofd: open file description record locks (fcntl F_OFD_SETLKW): owned by the open file
// description, not the process, so they contend between threads as well as processes.
#include "file_lock.hpp"

namespace parbench {
namespace {

void ofd_lock(int fd, bool lock) {
  struct flock fl {};
  fl.l_type = lock ? F_WRLCK : F_UNLCK;
  fl.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  while (fcntl(fd, F_OFD_SETLKW, &fl) != 0) {
    if (errno != EINTR) throw_sys("fcntl(F_OFD_SETLKW)");
  }
}

class OfdKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "ofd"; }
  [[nodiscard]] std::string_view description() const override {
    return "open file description lock (fcntl F_OFD_SETLKW), one open file per worker";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& /*arena*/,
                                             int max_workers) const override {
    return std::make_unique<FileLock>(max_workers, ofd_lock);
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_ofd() { return std::make_unique<OfdKind>(); }

}  // namespace parbench
