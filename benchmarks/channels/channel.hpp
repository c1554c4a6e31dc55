#pragma once
// An IPC channel under test: a two-sided link created before the workers start (so forked workers
// inherit it), through which side 0 and side 1 exchange whole messages. Adding a channel is one
// file defining `std::unique_ptr<ChannelKind> make_channel_<name>()` plus one line in
// channel_list.hpp; the IPC workloads, tests and sweeps iterate over the registry.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared_memory.hpp"

namespace parbench {

class Channel {
 public:
  Channel() = default;
  virtual ~Channel() = default;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Sends one message of exactly msg.size() bytes from `side` (0 or 1) to the other side.
  virtual void send(int side, std::span<const std::byte> msg) = 0;
  // Receives one whole message of exactly msg.size() bytes at `side`.
  virtual void recv(int side, std::span<std::byte> msg) = 0;
  // A window of msgs.size() / size messages of `size` bytes each, the consecutive slices of `msgs`.
  // A channel that can keep many in flight at once does (mpi: every send posted before any is
  // waited for, as osu_bw does); by default they go one after another.
  virtual void send_window(int side, std::span<const std::byte> msgs, std::size_t size) {
    for (std::size_t at = 0; at + size <= msgs.size(); at += size)
      send(side, msgs.subspan(at, size));
  }
  // `arrived(k)` is called once message k of the window is in, as soon as it is (mpi: as
  // MPI_Waitsome reports it, while later ones are still on their way), in any order.
  virtual void recv_window(int side, std::span<std::byte> msgs, std::size_t size,
                           const std::function<void(std::size_t)>& arrived) {
    for (std::size_t k = 0; (k + 1) * size <= msgs.size(); ++k) {
      recv(side, msgs.subspan(k * size, size));
      arrived(k);
    }
  }
  // The size of an acknowledgement from side 1 to side 0 when the messages are `size` bytes: the
  // same by default (a channel of fixed-size slots takes no other), the smallest message where any
  // size goes (mpi: osu_bw acknowledges its window with 4 bytes).
  [[nodiscard]] virtual std::size_t ack_bytes(std::size_t size) const { return size; }
  // Maps the channel's own buffers outside shared memory into the calling worker (shared memory
  // from the arena is prefaulted by the caller).
  virtual void prefault() {}
};

struct ChannelSpec {
  std::size_t message_bytes = 8;
  bool spin = false;        // busy-spin instead of blocking, where the channel has that mode
  bool shared_cpu = false;  // both sides are pinned to one CPU (placement=same_core)
};

class ChannelKind {
 public:
  ChannelKind() = default;
  virtual ~ChannelKind() = default;
  ChannelKind(const ChannelKind&) = delete;
  ChannelKind& operator=(const ChannelKind&) = delete;

  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view description() const = 0;
  // Lives in one address space: works between threads only.
  [[nodiscard]] virtual bool threads_only() const { return false; }
  // Links workers that may be on different hosts (mpi: ranks): it runs only on a backend whose
  // workers cross hosts (BackendTraits::crosses_hosts), and only such a channel runs there; it is
  // not among a parameter's default values.
  [[nodiscard]] virtual bool crosses_hosts() const { return false; }
  [[nodiscard]] virtual bool has_spin_mode() const { return false; }
  // Why many senders on side 0 and many receivers on side 1 could not share this channel with
  // `bytes`-sized messages (messages would interleave or tear), or nullopt when they can.
  [[nodiscard]] virtual std::optional<std::string> many_to_many(std::size_t /*bytes*/) const {
    return std::string(name()) + " is a byte stream: concurrent writers' messages would interleave";
  }
  // Why a message of `bytes` cannot go through this channel on this machine (naming the limit), or
  // nullopt when it can.
  [[nodiscard]] virtual std::optional<std::string> size_limit(std::size_t /*bytes*/) const {
    return std::nullopt;
  }
  // Shared memory comes from `arena`, which lives exactly as long as the channel.
  [[nodiscard]] virtual std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                        SharedArena& arena) const = 0;
};

// Every channel, in channel_list.hpp's order (mpi, which crosses hosts, included).
const std::vector<std::unique_ptr<ChannelKind>>& all_channels();
// nullptr for an unknown name.
const ChannelKind* find_channel(std::string_view name);
// The names of all_channels(), in order; with `local_only`, those that do not cross hosts.
std::vector<std::string> channel_names(bool local_only = false);
// The names of the channels that cross hosts (ChannelKind::crosses_hosts).
std::vector<std::string> channels_across_hosts();

}  // namespace parbench
