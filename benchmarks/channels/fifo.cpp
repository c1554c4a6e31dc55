// fifo: two named pipes in a private temporary directory. Both ends are opened while the channel
// is created and the names removed at once. A run SIGKILLed in between leaves the directory,
// named parbench.<pid>.fifo.*, for the next run or `parbench clean` to remove (strays.hpp).
#include <fcntl.h>
#include <fmt/core.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "fd_channel.hpp"
#include "strays.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

// Opens both ends of a new FIFO at `path` without blocking: a read end first (O_NONBLOCK lets it
// open with no writer yet), then the write end, then the read end is made blocking again.
std::pair<UniqueFd, UniqueFd> open_fifo(const std::string& path) {
  check_sys(mkfifo(path.c_str(), 0600), "mkfifo");
  UniqueFd rd(
      check_sys(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC), "open(fifo, O_RDONLY)"));
  UniqueFd wr(check_sys(open(path.c_str(), O_WRONLY | O_CLOEXEC), "open(fifo, O_WRONLY)"));
  const int flags = check_sys(fcntl(rd.get(), F_GETFL), "fcntl(F_GETFL)");
  check_sys(fcntl(rd.get(), F_SETFL, flags & ~O_NONBLOCK), "fcntl(F_SETFL)");
  return {std::move(rd), std::move(wr)};
}

class FifoKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "fifo"; }
  [[nodiscard]] std::string_view description() const override {
    return "named pipes (mkfifo) in a private directory, one per direction";
  }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t bytes) const override {
    return pipe_many_to_many(name(), bytes);
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& /*spec*/,
                                                SharedArena& /*arena*/) const override {
    std::string dir =
        (std::filesystem::temp_directory_path() / (stray_name_prefix() + "fifo.XXXXXX")).string();
    if (mkdtemp(dir.data()) == nullptr) throw_sys("mkdtemp");
    struct Cleanup {  // the names go whatever happens; the open descriptors stay valid
      std::string dir;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    } cleanup{dir};
    auto [a_rd, a_wr] = open_fifo(dir + "/to_1");
    auto [b_rd, b_wr] = open_fifo(dir + "/to_0");
    const std::array rd{b_rd.get(), a_rd.get()}, wr{a_wr.get(), b_wr.get()};
    std::vector<UniqueFd> owned;
    owned.push_back(std::move(a_rd));
    owned.push_back(std::move(a_wr));
    owned.push_back(std::move(b_rd));
    owned.push_back(std::move(b_wr));
    return std::make_unique<FdChannel>(std::move(owned), rd, wr, FdChannel::Framing::Stream);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_fifo() { return std::make_unique<FifoKind>(); }

}  // namespace parbench
