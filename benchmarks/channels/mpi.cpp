// mpi: MPI_Send / MPI_Recv between ranks 0 and 1 of the job, on the mpi backend only (a worker is
// a rank there, and side i is rank i). The other channels are created before the workers start
// and work between threads or forked processes; this one exists only between ranks that mpirun
// started, on one host or several, and says so (crosses_hosts).
#include <fmt/core.h>

#include "channel.hpp"
#include "message.hpp"
#include "mpi_world.hpp"

namespace parbench {
namespace {

constexpr int kTag = 100;

// Ranks that share a CPU wait by yielding it (mpi::send_yielding): Open MPI's own wait polls
// until preempted, which made a same-CPU round trip cost a time slice (8 ms).
class MpiChannel final : public Channel {
 public:
  explicit MpiChannel(bool shared_cpu) : yield_(shared_cpu) {}
  void send(int side, std::span<const std::byte> msg) override {
    if (yield_) {
      mpi::send_yielding(1 - side, kTag, msg);
    } else {
      mpi::send(1 - side, kTag, msg);
    }
  }
  void recv(int side, std::span<std::byte> msg) override {
    if (yield_) {
      mpi::recv_yielding(1 - side, kTag, msg);
    } else {
      mpi::recv(1 - side, kTag, msg);
    }
  }
  void send_window(int side, std::span<const std::byte> msgs, std::size_t size) override {
    mpi::send_window(1 - side, kTag, msgs, size, yield_);
  }
  void recv_window(int side, std::span<std::byte> msgs, std::size_t size,
                   const std::function<void(std::size_t)>& arrived) override {
    mpi::recv_window(1 - side, kTag, msgs, size, yield_, arrived);
  }
  [[nodiscard]] std::size_t ack_bytes(std::size_t /*size*/) const override {
    return kMinMessageBytes;
  }

 private:
  bool yield_;
};

class MpiKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "mpi"; }
  [[nodiscard]] std::string_view description() const override {
    return "MPI_Send/MPI_Recv between two MPI ranks (--backend mpi under mpirun)";
  }
  [[nodiscard]] bool crosses_hosts() const override { return true; }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return std::string("the mpi channel links exactly two ranks");
  }
  [[nodiscard]] std::optional<std::string> size_limit(std::size_t bytes) const override {
    if (bytes > static_cast<std::size_t>(INT32_MAX))
      return fmt::format("mpi: a message of {} bytes is over MPI's int count", bytes);
    return std::nullopt;
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& /*arena*/) const override {
    return std::make_unique<MpiChannel>(spec.shared_cpu);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_mpi() { return std::make_unique<MpiKind>(); }

}  // namespace parbench
