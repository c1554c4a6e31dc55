#pragma once
// A channel over file descriptors: side s writes wr[s] and reads rd[s]. Byte streams (pipe, FIFO,
// stream sockets) loop until the whole message has moved; message channels (seqpacket) move it in
// one call and check that it arrived whole.
#include <array>
#include <vector>

#include "channel.hpp"
#include "unique_fd.hpp"

namespace parbench {

void write_all(int fd, std::span<const std::byte> data);
void read_exact(int fd, std::span<std::byte> data);

class FdChannel final : public Channel {
 public:
  enum class Framing { Stream, Message };
  // `owned` are closed with the channel; rd/wr name the descriptor of each side.
  FdChannel(std::vector<UniqueFd> owned, std::array<int, 2> rd, std::array<int, 2> wr,
            Framing framing)
      : owned_(std::move(owned)), rd_(rd), wr_(wr), framing_(framing) {}

  void send(int side, std::span<const std::byte> msg) override;
  void recv(int side, std::span<std::byte> msg) override;

 private:
  std::vector<UniqueFd> owned_;
  std::array<int, 2> rd_, wr_;
  Framing framing_;
};

// Pipes and FIFOs: POSIX makes writes of up to PIPE_BUF bytes atomic; longer ones may interleave
// with other writers', so many senders may share one only with messages that small.
std::optional<std::string> pipe_many_to_many(std::string_view name, std::size_t bytes);

// Reads a number from a /proc or /sys file; nullopt when it cannot be read.
std::optional<long> read_proc_number(const char* path);

}  // namespace parbench
