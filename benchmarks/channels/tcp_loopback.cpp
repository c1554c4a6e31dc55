// tcp_loopback: a TCP connection over 127.0.0.1 with TCP_NODELAY (no Nagle delay on small
// messages), connected while the channel is created.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "fd_channel.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

class TcpLoopbackKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "tcp_loopback"; }
  [[nodiscard]] std::string_view description() const override {
    return "TCP over 127.0.0.1, TCP_NODELAY";
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& /*spec*/,
                                                SharedArena& /*arena*/) const override {
    UniqueFd listener(check_sys(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket(AF_INET)"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // any free port
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    check_sys(bind(listener.get(), sa, sizeof addr), "bind(127.0.0.1)");
    check_sys(listen(listener.get(), 1), "listen");
    socklen_t len = sizeof addr;
    check_sys(getsockname(listener.get(), sa, &len), "getsockname");
    UniqueFd client(check_sys(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket(AF_INET)"));
    // A connect to a listening loopback socket completes from the backlog; no second thread needed.
    check_sys(connect(client.get(), sa, sizeof addr), "connect(127.0.0.1)");
    UniqueFd server(check_sys(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept"));
    const int one = 1;
    for (int fd : {client.get(), server.get()}) {
      check_sys(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one),
                "setsockopt(TCP_NODELAY)");
    }
    const std::array fds{client.get(), server.get()};
    std::vector<UniqueFd> owned;
    owned.push_back(std::move(client));
    owned.push_back(std::move(server));
    return std::make_unique<FdChannel>(std::move(owned), fds, fds, FdChannel::Framing::Stream);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_tcp_loopback() {
  return std::make_unique<TcpLoopbackKind>();
}

}  // namespace parbench
