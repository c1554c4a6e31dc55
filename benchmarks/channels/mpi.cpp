// mpi: MPI_Send / MPI_Recv between ranks 0 and 1 of the job, on the mpi backend only (a worker is
// a rank there, and side i is rank i). Not one of all_channels(): those are created before the
// workers start and work between threads or forked processes; this one exists only between ranks
// that mpirun started, on one host or several.
#include <fmt/core.h>

#include "channel.hpp"
#include "mpi_world.hpp"

namespace parbench {
namespace {

constexpr int kTag = 100;

class MpiChannel final : public Channel {
 public:
  void send(int side, std::span<const std::byte> msg) override { mpi::send(1 - side, kTag, msg); }
  void recv(int side, std::span<std::byte> msg) override { mpi::recv(1 - side, kTag, msg); }
};

class MpiKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "mpi"; }
  [[nodiscard]] std::string_view description() const override {
    return "MPI_Send/MPI_Recv between two MPI ranks (--backend mpi under mpirun)";
  }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return std::string("the mpi channel links exactly two ranks");
  }
  [[nodiscard]] std::optional<std::string> size_limit(std::size_t bytes) const override {
    if (bytes > static_cast<std::size_t>(INT32_MAX))
      return fmt::format("mpi: a message of {} bytes is over MPI's int count", bytes);
    return std::nullopt;
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& /*spec*/,
                                                SharedArena& /*arena*/) const override {
    return std::make_unique<MpiChannel>();
  }
};

}  // namespace

const ChannelKind& mpi_channel() {
  static const MpiKind kind;
  return kind;
}

}  // namespace parbench
