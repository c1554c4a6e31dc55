#include "output_file.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "bad_input.hpp"
#include "interrupt.hpp"

namespace parbench {
namespace {

// What an output path names once its symbolic links are followed.
struct OutputTarget {
  std::string path;  // the file to replace or write into
  int own_fd = -1;   // /dev/stdout, /dev/fd/N, /proc/self/fd/N: that descriptor of this process
  mode_t type = 0;   // S_IFREG, S_IFCHR, ...; 0 when nothing is there yet
  mode_t mode = 0;   // the permissions of what is there
};

// N of "/dev/fd/N", "/proc/self/fd/N" or "/proc/PID/fd/N" with PID ours.
std::optional<int> own_descriptor(std::string_view p) {
  const std::string self = fmt::format("/proc/{}/fd/", static_cast<long>(::getpid()));
  for (std::string_view dir :
       {std::string_view("/dev/fd/"), std::string_view("/proc/self/fd/"), std::string_view(self)}) {
    if (!p.starts_with(dir)) continue;
    p.remove_prefix(dir.size());
    int fd = -1;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), fd);
    if (ec == std::errc() && end == p.data() + p.size() && fd >= 0) return fd;
    return std::nullopt;
  }
  return std::nullopt;
}

OutputTarget resolve(const std::string& path) {
  namespace fs = std::filesystem;
  std::string p = path;
  for (int hop = 0; hop < 40; ++hop) {  // the kernel's own limit on links followed
    if (const auto fd = own_descriptor(p)) return {p, *fd, 0, 0};
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) return {p, -1, 0, 0};
      throw ReportWriteError(errno, "stat " + p);
    }
    if (!S_ISLNK(st.st_mode)) return {p, -1, st.st_mode & S_IFMT, st.st_mode & 07777};
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size() - 1);
    if (n < 0) throw ReportWriteError(errno, "readlink " + p);
    const fs::path link(std::string(buf.data(), static_cast<std::size_t>(n)));
    p = link.is_absolute() ? link.string() : (fs::path(p).parent_path() / link).string();
  }
  throw ReportWriteError(ELOOP, "follow the links of " + path);
}

// Why `t` cannot take a report, or "" when it can.
std::string refusal(const OutputTarget& t) {
  switch (t.type) {
    case S_IFDIR:
      return "a directory";
    case S_IFSOCK:
      return "a socket";
    case S_IFBLK:
      return "a block device";
    default:
      return "";
  }
}

void check(const OutputTarget& t, const std::string& path, std::string_view option) {
  const std::string what = refusal(t);
  if (what.empty()) return;
  throw BadInput(fmt::format(
      "{}{}'{}' is {}; expected a file (replaced whole), a character device such as /dev/null, "
      "or a FIFO",
      option, option.empty() ? "" : ": ", path, what));
}

// Into a device, a FIFO or an inherited descriptor: nothing to replace.
void write_into(const OutputTarget& t, std::string_view content) {
  if (t.own_fd >= 0) {
    if (const int err = write_all(t.own_fd, content); err != 0)
      throw ReportWriteError(err, "write " + t.path);
    return;
  }
  // A FIFO nobody reads would block the open forever: ENXIO says so at once.
  const bool fifo = t.type == S_IFIFO;
  const int fd = ::open(t.path.c_str(), O_WRONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
  if (fd < 0) {
    throw ReportWriteError(errno, fifo && errno == ENXIO ? "open " + t.path +
                                                               " (no process reads "
                                                               "the FIFO)"
                                                         : "open " + t.path);
  }
  if (fifo) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int err = write_all(fd, content);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) throw ReportWriteError(err, "write " + t.path);
}

// A regular file, or none yet: a temporary file beside it, then rename.
void replace(const OutputTarget& t, std::string_view content) {
  std::string tmp = t.path + ".XXXXXX.tmp";
  const int fd = ::mkostemps(tmp.data(), 4, O_CLOEXEC);
  if (fd < 0) throw ReportWriteError(errno, "create a temporary file beside " + t.path);
  const int slot = register_scratch_file(tmp);  // removed if a signal ends the command now
  // mkostemps makes it 0600; a report is as readable as any file (or keeps the mode it had).
  ::fchmod(fd, t.type == S_IFREG ? t.mode : 0644);
  int err = write_all(fd, content);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.c_str(), t.path.c_str()) != 0) err = errno;
  if (err != 0) ::unlink(tmp.c_str());
  unregister_scratch_file(slot);
  if (err != 0) throw ReportWriteError(err, "write " + t.path);
}

}  // namespace

int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

void check_output_file(const std::string& path, std::string_view option) {
  if (path.empty()) throw BadInput(fmt::format("{}: empty; expected a file", option));
  if (path.back() == '/') check({path, -1, S_IFDIR, 0}, path, option);
  check(resolve(path), path, option);
}

void write_file_atomically(const std::string& path, std::string_view content) {
  const OutputTarget t = resolve(path);
  check(t, path, "");
  if (t.own_fd >= 0 || (t.type != 0 && t.type != S_IFREG)) {
    write_into(t, content);
  } else {
    replace(t, content);
  }
}

void overwrite_in_place(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw ReportWriteError(errno, "open " + path);
  struct stat st {};
  int err = ::fstat(fd, &st) == 0 ? 0 : errno;
  if (err == 0 && static_cast<std::size_t>(st.st_size) < content.size()) err = ENOSPC;
  if (err == 0) {
    std::string padded(content);
    padded.resize(static_cast<std::size_t>(st.st_size), ' ');
    const ssize_t n = ::pwrite(fd, padded.data(), padded.size(), 0);
    if (n != static_cast<ssize_t>(padded.size())) err = n < 0 ? errno : EIO;
  }
  ::close(fd);
  if (err != 0) throw ReportWriteError(err, "overwrite " + path);
}

}  // namespace parbench
