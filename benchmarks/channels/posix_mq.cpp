// posix_mq: two POSIX message queues (mq_open), one per direction. The system's limits are
// respected, not raised with privileges: a message over /proc/sys/fs/mqueue/msgsize_max is refused
// with that limit named. Queue names are unlinked as soon as the descriptors are open, so a
// killed run leaves nothing in /dev/mqueue.
#include <fcntl.h>
#include <fmt/core.h>
#include <mqueue.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "fd_channel.hpp"
#include "strays.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

constexpr long kMaxDepth = 10;  // the Linux default queue depth, kept for comparability

long msgsize_max() { return read_proc_number("/proc/sys/fs/mqueue/msgsize_max").value_or(8192); }
long msg_max() { return read_proc_number("/proc/sys/fs/mqueue/msg_max").value_or(10); }

// Queue depth that fits RLIMIT_MSGQUEUE for two queues of `bytes`-sized messages (the kernel
// charges each slot its size plus a pointer-sized header).
long depth_for(std::size_t bytes) {
  rlimit rl{};
  getrlimit(RLIMIT_MSGQUEUE, &rl);
  const long per_slot = static_cast<long>(bytes) + static_cast<long>(sizeof(void*)) * 2;
  const long by_rlimit =
      rl.rlim_cur == RLIM_INFINITY ? kMaxDepth : static_cast<long>(rl.rlim_cur) / (2 * per_slot);
  return std::min({kMaxDepth, msg_max(), by_rlimit});
}

class MqChannel final : public Channel {
 public:
  MqChannel(mqd_t to1, mqd_t to0) : q_{to1, to0} {}
  ~MqChannel() override {
    for (mqd_t q : q_) mq_close(q);
  }
  void send(int side, std::span<const std::byte> msg) override {
    while (mq_send(q_[side], reinterpret_cast<const char*>(msg.data()), msg.size(), 0) != 0) {
      if (errno != EINTR) throw_sys("mq_send");
    }
  }
  void recv(int side, std::span<std::byte> msg) override {
    for (;;) {
      const ssize_t n =
          mq_receive(q_[1 - side], reinterpret_cast<char*>(msg.data()), msg.size(), nullptr);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_sys("mq_receive");
      if (static_cast<std::size_t>(n) != msg.size()) {
        throw std::runtime_error(
            fmt::format("mq_receive: {} bytes where {} were expected", n, msg.size()));
      }
      return;
    }
  }

 private:
  std::array<mqd_t, 2> q_;  // q_[s]: the queue side s sends into
};

class PosixMqKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "posix_mq"; }
  [[nodiscard]] std::string_view description() const override {
    return "POSIX message queues (mq_send/mq_receive), one per direction";
  }
  [[nodiscard]] std::optional<std::string> size_limit(std::size_t bytes) const override {
    if (static_cast<long>(bytes) > msgsize_max()) {
      return fmt::format(
          "posix_mq: a {}-byte message exceeds /proc/sys/fs/mqueue/msgsize_max = {} bytes", bytes,
          msgsize_max());
    }
    if (depth_for(bytes) < 1) {
      return fmt::format("posix_mq: two queues of {}-byte messages do not fit RLIMIT_MSGQUEUE",
                         bytes);
    }
    return std::nullopt;
  }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return std::nullopt;  // each message is sent and received whole
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& /*arena*/) const override {
    if (auto why = size_limit(spec.message_bytes)) throw std::invalid_argument(*why);
    mq_attr attr{};
    attr.mq_maxmsg = depth_for(spec.message_bytes);
    attr.mq_msgsize = static_cast<long>(spec.message_bytes);
    std::array<mqd_t, 2> q{};
    for (std::size_t i = 0; i < q.size(); ++i) {
      const std::string name = fmt::format("/{}{}", stray_name_prefix(), counter_.fetch_add(1));
      q[i] = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
      if (q[i] == static_cast<mqd_t>(-1)) {
        const int err = errno;
        if (i == 1) mq_close(q[0]);
        throw_sys(fmt::format("mq_open({}, maxmsg {}, msgsize {})", name, attr.mq_maxmsg,
                              attr.mq_msgsize),
                  err);
      }
      mq_unlink(name.c_str());  // the descriptor keeps the queue alive; the name is not needed
    }
    return std::make_unique<MqChannel>(q[0], q[1]);
  }

 private:
  mutable std::atomic<unsigned> counter_{0};
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_posix_mq() { return std::make_unique<PosixMqKind>(); }

}  // namespace parbench
