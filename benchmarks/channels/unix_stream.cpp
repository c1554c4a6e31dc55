// unix_stream: socketpair(AF_UNIX, SOCK_STREAM), both directions over one pair.
#include <sys/socket.h>

#include "fd_channel.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

class UnixStreamKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "unix_stream"; }
  [[nodiscard]] std::string_view description() const override {
    return "socketpair(AF_UNIX, SOCK_STREAM)";
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& /*spec*/,
                                                SharedArena& /*arena*/) const override {
    int sv[2];
    check_sys(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
              "socketpair(AF_UNIX, SOCK_STREAM)");
    std::vector<UniqueFd> owned;
    owned.emplace_back(sv[0]);
    owned.emplace_back(sv[1]);
    return std::make_unique<FdChannel>(std::move(owned), std::array{sv[0], sv[1]},
                                       std::array{sv[0], sv[1]}, FdChannel::Framing::Stream);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_unix_stream() {
  return std::make_unique<UnixStreamKind>();
}

}  // namespace parbench
