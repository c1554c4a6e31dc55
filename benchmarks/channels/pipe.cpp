// pipe: pipe(2), one per direction.
#include <fcntl.h>
#include <fmt/core.h>
#include <limits.h>
#include <unistd.h>

#include "fd_channel.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

class PipeKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "pipe"; }
  [[nodiscard]] std::string_view description() const override {
    return "pipe(2), one per direction";
  }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t bytes) const override {
    return pipe_many_to_many(name(), bytes);
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& /*spec*/,
                                                SharedArena& /*arena*/) const override {
    int a[2], b[2];  // a: side 0 -> side 1, b: side 1 -> side 0
    check_sys(pipe2(a, O_CLOEXEC), "pipe2");
    std::vector<UniqueFd> owned;
    owned.emplace_back(a[0]);
    owned.emplace_back(a[1]);
    check_sys(pipe2(b, O_CLOEXEC), "pipe2");
    owned.emplace_back(b[0]);
    owned.emplace_back(b[1]);
    return std::make_unique<FdChannel>(std::move(owned), std::array{b[0], a[0]},
                                       std::array{a[1], b[1]}, FdChannel::Framing::Stream);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_pipe() { return std::make_unique<PipeKind>(); }

}  // namespace parbench
