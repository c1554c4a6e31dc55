#include "fd_channel.hpp"

#include <fmt/core.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>

#include "sys_error.hpp"

namespace parbench {

void write_all(int fd, std::span<const std::byte> data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_sys("write");
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

void read_exact(int fd, std::span<std::byte> data) {
  while (!data.empty()) {
    const ssize_t n = ::read(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_sys("read");
    }
    if (n == 0) throw std::runtime_error("read: the other side closed the channel");
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

void FdChannel::send(int side, std::span<const std::byte> msg) {
  if (framing_ == Framing::Stream) return write_all(wr_[side], msg);
  for (;;) {
    const ssize_t n = ::send(wr_[side], msg.data(), msg.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("send");
    if (static_cast<std::size_t>(n) != msg.size()) {
      throw std::runtime_error(
          fmt::format("send: {} of {} bytes sent as one message", n, msg.size()));
    }
    return;
  }
}

void FdChannel::recv(int side, std::span<std::byte> msg) {
  if (framing_ == Framing::Stream) return read_exact(rd_[side], msg);
  for (;;) {
    // MSG_TRUNC makes recv return the real length, so a message longer than expected is seen.
    const ssize_t n = ::recv(rd_[side], msg.data(), msg.size(), MSG_TRUNC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("recv");
    if (static_cast<std::size_t>(n) != msg.size()) {
      throw std::runtime_error(
          fmt::format("recv: a message of {} bytes where {} were expected", n, msg.size()));
    }
    return;
  }
}

std::optional<std::string> pipe_many_to_many(std::string_view name, std::size_t bytes) {
  if (bytes <= PIPE_BUF) return std::nullopt;
  return fmt::format(
      "{}: writes over PIPE_BUF ({} bytes) are not atomic, so concurrent senders' {}-byte "
      "messages could interleave",
      name, PIPE_BUF, bytes);
}

std::optional<long> read_proc_number(const char* path) {
  std::ifstream in(path);
  long v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

}  // namespace parbench
