// Every registered channel on every backend delivers every message intact and in order, in both
// directions; oversized messages are refused naming the limit; the message check catches damage.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "channels/channel.hpp"
#include "channels/message.hpp"
#include "launcher.hpp"
#include "run_workers.hpp"
#include "support.hpp"
#include "workload.hpp"

using namespace parbench;
using namespace std::chrono_literals;

namespace {

// Side 0 streams `count` messages to side 1, then side 1 streams them back.
RunResult deliver(const WorkerLauncher& backend, Channel& ch, std::size_t size, int count) {
  return run_workers(backend, RunSpec{2, {}, 60s, {}}, [&](const WorkerContext& ctx) {
    std::vector<std::byte> buf(size);
    for (int dir = 0; dir < 2; ++dir) {
      const int sender = dir;
      for (int i = 0; i < count; ++i) {
        const auto seq = static_cast<std::uint32_t>(dir * count + i);
        if (ctx.index == sender) {
          stamp_message(buf, seq);
          ch.send(sender, buf);
        } else {
          ch.recv(1 - sender, buf);
          verify_message(buf, seq);  // throws on loss, duplication, reordering or damage
        }
      }
    }
  });
}

}  // namespace

TEST_CASE("every channel delivers every message intact and in order on every backend",
          "[channel]") {
  const auto ipc_before = test::ipc_entries();
  const auto tmp_before = test::temp_entries();
  for (const auto& kind : all_channels()) {
    if (kind->crosses_hosts()) continue;  // between MPI ranks: test_mpi.cpp
    for (const WorkerLauncher* backend : all_launchers()) {
      if (kind->threads_only() && backend->name() != "thread") continue;
      for (const bool spin : {false, true}) {
        if (spin && !kind->has_spin_mode()) continue;
        // 8 B; an odd size across a page boundary; larger than a pipe's or ring's buffer.
        for (const std::size_t size :
             {std::size_t{8}, std::size_t{4096 + 13}, std::size_t{300 << 10}}) {
          if (kind->size_limit(size)) continue;
          DYNAMIC_SECTION(kind->name()
                          << " " << backend->name() << (spin ? " spin " : " block ") << size) {
            SharedArena arena;
            auto ch = kind->create(ChannelSpec{size, spin}, arena);
            const RunResult r = deliver(*backend, *ch, size, size > 100000 ? 20 : 300);
            INFO(r.error);
            REQUIRE(r.ok());
          }
        }
      }
    }
  }
  REQUIRE(test::child_pids().empty());
  REQUIRE(test::ipc_entries_settled(ipc_before) == ipc_before);
  REQUIRE(test::temp_entries() == tmp_before);
}

TEST_CASE("channel limits are named, not crashed into", "[channel]") {
  const std::size_t huge = std::size_t{64} << 20;
  const auto* mq = find_channel("posix_mq");
  REQUIRE(mq != nullptr);
  REQUIRE_THAT(mq->size_limit(huge).value_or(""), Catch::Contains("msgsize_max"));
  REQUIRE_FALSE(mq->size_limit(8));
  const auto* seq = find_channel("unix_seqpacket");
  REQUIRE_THAT(seq->size_limit(huge).value_or(""), Catch::Contains("wmem_max"));
  for (const char* stream :
       {"pipe", "unix_stream", "fifo", "tcp_loopback", "shm_ring", "shm_queue"}) {
    INFO(stream);
    REQUIRE_FALSE(find_channel(stream)->size_limit(huge));
  }
}

TEST_CASE("the message check catches loss, reordering and damage", "[channel][message]") {
  for (const std::size_t size : {std::size_t{8}, std::size_t{16}, std::size_t{10000}}) {
    std::vector<std::byte> m(size);
    stamp_message(m, 7);
    REQUIRE_NOTHROW(verify_message(m, 7));
    REQUIRE_THROWS_WITH(verify_message(m, 8), Catch::Contains("sequence number 7"));
    auto bad = m;
    bad[4] ^= std::byte{1};
    REQUIRE_THROWS_AS(verify_message(bad, 7), VerificationError);
    if (size >= 16) {
      bad = m;
      bad[size - 1] ^= std::byte{0x80};  // torn tail
      REQUIRE_THROWS_WITH(verify_message(bad, 7), Catch::Contains("offset"));
    }
  }
  // Every size around a page boundary verifies (stamped words must not overlap each other).
  for (std::size_t size = 8; size <= 8300;
       size += (size < 40 || (size > 4080 && size < 4130) || size > 8170) ? 1 : 97) {
    std::vector<std::byte> msg(size);
    stamp_message(msg, 3);
    INFO(size);
    REQUIRE_NOTHROW(verify_message(msg, 3));
  }
  // A message of one size read as another (truncated stream framing) fails the header check.
  std::vector<std::byte> m(64);
  stamp_message(m, 1);
  REQUIRE_THROWS_AS(verify_message(std::span(m).first(32), 1), VerificationError);
  // A stale page: the second page still holds the previous message's stamp.
  std::vector<std::byte> a(9000), b(9000);
  stamp_message(a, 1);
  stamp_message(b, 2);
  std::copy(a.begin() + 4096, a.begin() + 4104, b.begin() + 4096);
  REQUIRE_THROWS_WITH(verify_message(b, 2), Catch::Contains("offset 4096"));
}

TEST_CASE("a window is received whole and each of its messages is reported once, by its index",
          "[channel]") {
  constexpr std::size_t kSize = 64, kWindow = 5;
  SharedArena arena;
  auto ch = find_channel("pipe")->create(ChannelSpec{kSize, false}, arena);
  std::vector<std::byte> out(kWindow * kSize), in(kWindow * kSize);
  for (std::size_t k = 0; k < kWindow; ++k)
    stamp_message(std::span(out).subspan(k * kSize, kSize), static_cast<std::uint32_t>(10 + k));
  ch->send_window(0, out, kSize);  // 320 B: within the pipe's buffer, so one thread can do both
  std::vector<std::size_t> reported;
  ch->recv_window(1, in, kSize, [&](std::size_t k) {
    verify_message(std::span(in).subspan(k * kSize, kSize), static_cast<std::uint32_t>(10 + k));
    reported.push_back(k);
  });
  std::sort(reported.begin(), reported.end());
  REQUIRE(reported == std::vector<std::size_t>{0, 1, 2, 3, 4});
  REQUIRE(in == out);
}
