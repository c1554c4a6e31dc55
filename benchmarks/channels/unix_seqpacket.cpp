// unix_seqpacket: socketpair(AF_UNIX, SOCK_SEQPACKET): whole messages, in order. A message must
// fit the socket's send buffer, which an unprivileged process may raise only to net.core.wmem_max.
#include <fmt/core.h>
#include <sys/socket.h>

#include <algorithm>

#include "fd_channel.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

// Room the kernel needs beyond the payload for one queued packet (skb and its accounting).
constexpr long kPacketOverhead = 1024;

class UnixSeqpacketKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "unix_seqpacket"; }
  [[nodiscard]] std::string_view description() const override {
    return "socketpair(AF_UNIX, SOCK_SEQPACKET): message boundaries kept";
  }
  [[nodiscard]] std::optional<std::string> size_limit(std::size_t bytes) const override {
    const long wmem_max = read_proc_number("/proc/sys/net/core/wmem_max").value_or(212992);
    // setsockopt(SO_SNDBUF, v) gives 2v, capped at 2 * wmem_max.
    if (static_cast<long>(bytes) + kPacketOverhead > 2 * wmem_max) {
      return fmt::format(
          "unix_seqpacket: a {}-byte message does not fit the socket send buffer "
          "(at most 2 x net.core.wmem_max = {} bytes)",
          bytes, 2 * wmem_max);
    }
    return std::nullopt;
  }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return std::nullopt;  // each message is sent and received whole
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& /*arena*/) const override {
    int sv[2];
    check_sys(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
              "socketpair(AF_UNIX, SOCK_SEQPACKET)");
    std::vector<UniqueFd> owned;
    owned.emplace_back(sv[0]);
    owned.emplace_back(sv[1]);
    const int want = static_cast<int>(
        std::min<long>(static_cast<long>(spec.message_bytes) + kPacketOverhead,
                       read_proc_number("/proc/sys/net/core/wmem_max").value_or(212992)));
    for (int fd : sv) {
      int current = 0;
      socklen_t len = sizeof current;
      getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &current, &len);
      if (current < 2 * want)
        check_sys(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want),
                  "setsockopt(SO_SNDBUF)");
    }
    return std::make_unique<FdChannel>(std::move(owned), std::array{sv[0], sv[1]},
                                       std::array{sv[0], sv[1]}, FdChannel::Framing::Message);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_unix_seqpacket() {
  return std::make_unique<UnixSeqpacketKind>();
}

}  // namespace parbench
