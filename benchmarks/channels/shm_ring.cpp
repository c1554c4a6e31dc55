// shm_ring: a single-producer single-consumer byte ring in shared memory, one per direction.
// Waiting is a parameter: busy-spin (poll the other side's counter) or block (futex sleep, woken
// by the other side only when someone is actually asleep, so an uncontended message costs no
// system call).
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>

#include "channel.hpp"
#include "futex.hpp"

namespace parbench {
namespace {

// One ring. The producer owns `head`, the consumer `tail`; each on its own cache line so the two
// sides do not invalidate each other's line on every update. The futex words count updates
// ("something changed") and the waiter counts let the updating side skip futex_wake when no one
// sleeps.
struct alignas(kCacheLine) RingState {
  alignas(kCacheLine) std::atomic<std::uint64_t> head{0};  // bytes produced
  std::atomic<std::uint32_t> data_seq{0};
  std::atomic<std::uint32_t> data_waiters{0};
  alignas(kCacheLine) std::atomic<std::uint64_t> tail{0};  // bytes consumed
  std::atomic<std::uint32_t> space_seq{0};
  std::atomic<std::uint32_t> space_waiters{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "shared atomics must be address-free");

std::uint32_t* word(std::atomic<std::uint32_t>& a) { return reinterpret_cast<std::uint32_t*>(&a); }

class Ring {
 public:
  Ring(RingState& state, std::span<std::byte> data)
      : s_(&state), data_(data), mask_(data.size() - 1) {}

  void write(std::span<const std::byte> msg, bool spin) {
    while (!msg.empty()) {
      const std::uint64_t head = s_->head.load(std::memory_order_relaxed);
      const std::uint64_t free = data_.size() - (head - s_->tail.load(std::memory_order_acquire));
      if (free == 0) {
        wait(
            s_->space_seq, s_->space_waiters,
            [&] { return head - s_->tail.load(std::memory_order_acquire) < data_.size(); }, spin);
        continue;
      }
      const std::size_t n = std::min<std::size_t>(free, msg.size());
      copy_in(head, msg.first(n));
      // seq_cst pairs with the waiter's seq_cst load: either it sees the new head, or we see it
      // counted as a waiter and wake it. No lost wake-up.
      s_->head.store(head + n, std::memory_order_seq_cst);
      notify(s_->data_seq, s_->data_waiters);
      msg = msg.subspan(n);
    }
  }

  void read(std::span<std::byte> msg, bool spin) {
    while (!msg.empty()) {
      const std::uint64_t tail = s_->tail.load(std::memory_order_relaxed);
      const std::uint64_t avail = s_->head.load(std::memory_order_acquire) - tail;
      if (avail == 0) {
        wait(
            s_->data_seq, s_->data_waiters,
            [&] { return s_->head.load(std::memory_order_acquire) != tail; }, spin);
        continue;
      }
      const std::size_t n = std::min<std::size_t>(avail, msg.size());
      copy_out(tail, msg.first(n));
      s_->tail.store(tail + n, std::memory_order_seq_cst);
      notify(s_->space_seq, s_->space_waiters);
      msg = msg.subspan(n);
    }
  }

 private:
  template <class Ready>
  static void wait(std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiters,
                   Ready ready, bool spin) {
    if (spin) {
      // Yield now and then: on an oversubscribed CPU the other side needs our time slice to run.
      for (int i = 0; !ready(); ++i) {
        if ((i & 1023) == 1023) {
          sched_yield();
        } else {
          cpu_relax();
        }
      }
      return;
    }
    waiters.fetch_add(1, std::memory_order_seq_cst);
    const std::uint32_t seen = seq.load(std::memory_order_seq_cst);
    if (!ready()) futex_wait(word(seq), seen);
    waiters.fetch_sub(1, std::memory_order_seq_cst);
  }

  static void notify(std::atomic<std::uint32_t>& seq, std::atomic<std::uint32_t>& waiters) {
    seq.fetch_add(1, std::memory_order_seq_cst);
    if (waiters.load(std::memory_order_seq_cst) != 0) futex_wake(word(seq));
  }

  void copy_in(std::uint64_t pos, std::span<const std::byte> src) {
    const std::size_t at = pos & mask_, first = std::min(src.size(), data_.size() - at);
    std::memcpy(data_.data() + at, src.data(), first);
    std::memcpy(data_.data(), src.data() + first, src.size() - first);
  }
  void copy_out(std::uint64_t pos, std::span<std::byte> dst) {
    const std::size_t at = pos & mask_, first = std::min(dst.size(), data_.size() - at);
    std::memcpy(dst.data(), data_.data() + at, first);
    std::memcpy(dst.data() + first, data_.data(), dst.size() - first);
  }

  RingState* s_;
  std::span<std::byte> data_;
  std::size_t mask_;
};

class ShmRingChannel final : public Channel {
 public:
  ShmRingChannel(SharedArena& arena, std::size_t capacity, bool spin)
      : rings_{make_ring(arena, capacity), make_ring(arena, capacity)}, spin_(spin) {}
  void send(int side, std::span<const std::byte> msg) override { rings_[side].write(msg, spin_); }
  void recv(int side, std::span<std::byte> msg) override { rings_[1 - side].read(msg, spin_); }

 private:
  static Ring make_ring(SharedArena& arena, std::size_t capacity) {
    return {arena.make_one<RingState>(), arena.make<std::byte>(capacity)};
  }
  std::array<Ring, 2> rings_;  // rings_[s]: the ring side s writes into
  bool spin_;
};

class ShmRingKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "shm_ring"; }
  [[nodiscard]] std::string_view description() const override {
    return "SPSC byte ring in shared memory per direction; wait=block (futex) or wait=spin";
  }
  [[nodiscard]] bool has_spin_mode() const override { return true; }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return "shm_ring is a single-producer single-consumer ring";
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& arena) const override {
    // Room for two messages, so the producer can fill one while the consumer drains the other;
    // larger messages stream through in pieces.
    const std::size_t capacity =
        std::clamp<std::size_t>(std::bit_ceil(2 * spec.message_bytes), 64 << 10, 4 << 20);
    return std::make_unique<ShmRingChannel>(arena, capacity, spec.spin);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_shm_ring() { return std::make_unique<ShmRingKind>(); }

}  // namespace parbench
