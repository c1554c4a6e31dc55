// shm_ring: a single-producer single-consumer ring of message slots in shared memory, one per
// direction. Waiting is a parameter: busy-spin (poll the slot) or block (futex sleep, woken by the
// other side only when someone is actually asleep, so an uncontended message costs no system
// call).
//
// Built to move as few cache lines as the hardware needs: a slot's stamp (the number of the
// message it holds) shares the cache line with a small message's bytes, so the consumer polls the
// very line it will read and an 8-byte message moves one line per direction. The consumer's
// count of messages taken lives on its own line, which the producer reads only when its cached
// copy says the ring may be full. In spin mode nothing else is touched: no fence beyond
// release/acquire, no counter of waiters, no system call.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "channel.hpp"
#include "futex.hpp"

namespace parbench {
namespace {

// What the two sides share besides the slots. `taken` is written by the consumer only; the
// waiter counts let the other side skip futex_wake when no one sleeps (block mode only).
struct alignas(kCacheLine) RingControl {
  alignas(kCacheLine) std::atomic<std::uint32_t> taken{0};  // messages consumed
  std::atomic<std::uint32_t> space_waiters{0};
  alignas(kCacheLine) std::atomic<std::uint32_t> data_waiters{0};
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free,
              "shared atomics must be address-free");

std::uint32_t* word(std::atomic<std::uint32_t>& a) { return reinterpret_cast<std::uint32_t*>(&a); }

// A message larger than this goes through the ring in pieces of this size, one slot each, so the
// ring stays cache-sized and the consumer starts copying before the producer has finished.
constexpr std::size_t kMaxPiece = 1 << 20;
// The ring holds at most this many bytes of slots (and at least two slots).
constexpr std::size_t kRingBudget = 4 << 20;
constexpr std::size_t kMaxSlots = 64;

// The slot layout for messages of `bytes`: the stamp at offset 0, the piece after it in the same
// line when it fits there, else from the next line on (so large copies stay line-aligned).
struct SlotLayout {
  explicit SlotLayout(std::size_t bytes)
      : piece(std::min(bytes, kMaxPiece)),
        payload_offset(piece + sizeof(std::uint32_t) <= kCacheLine ? sizeof(std::uint32_t)
                                                                   : kCacheLine),
        stride((payload_offset + piece + kCacheLine - 1) / kCacheLine * kCacheLine),
        slots(std::clamp<std::size_t>(kRingBudget / stride, 2, kMaxSlots)) {}
  std::size_t piece, payload_offset, stride, slots;
};

class Ring {
 public:
  Ring(RingControl& control, std::span<std::byte> memory, const SlotLayout& layout)
      : c_(&control), memory_(memory), layout_(layout) {}

  void write(std::span<const std::byte> msg, bool spin) {
    while (!msg.empty()) {
      const std::size_t n = std::min(layout_.piece, msg.size());
      if (written_ - taken_seen_ >= layout_.slots) wait_for_space(spin);
      std::byte* slot = slot_at(written_);
      std::memcpy(slot + layout_.payload_offset, msg.data(), n);
      // Block mode: seq_cst pairs with the waiter's seq_cst load of the stamp after counting
      // itself, so either it sees the message or we see it waiting. No lost wake-up.
      stamp(slot).store(written_ + 1, spin ? std::memory_order_release : std::memory_order_seq_cst);
      if (!spin && c_->data_waiters.load(std::memory_order_seq_cst) != 0)
        futex_wake(word(stamp(slot)));
      ++written_;
      msg = msg.subspan(n);
    }
  }

  void read(std::span<std::byte> msg, bool spin) {
    while (!msg.empty()) {
      const std::size_t n = std::min(layout_.piece, msg.size());
      std::byte* slot = slot_at(read_);
      std::atomic<std::uint32_t>& st = stamp(slot);
      const std::uint32_t want = read_ + 1;
      if (st.load(std::memory_order_acquire) != want) {
        wait(
            st, c_->data_waiters, [&] { return st.load(std::memory_order_acquire) == want; }, spin);
      }
      std::memcpy(msg.data(), slot + layout_.payload_offset, n);
      // Release: the copy above is done before the producer may reuse the slot.
      c_->taken.store(want, spin ? std::memory_order_release : std::memory_order_seq_cst);
      if (!spin && c_->space_waiters.load(std::memory_order_seq_cst) != 0)
        futex_wake(word(c_->taken));
      ++read_;
      msg = msg.subspan(n);
    }
  }

 private:
  void wait_for_space(bool spin) {
    auto has_space = [&] {
      taken_seen_ = c_->taken.load(std::memory_order_acquire);
      return written_ - taken_seen_ < layout_.slots;
    };
    if (!has_space()) wait(c_->taken, c_->space_waiters, has_space, spin);
  }

  // Until ready(). Spin: poll, yielding now and then (on an oversubscribed CPU the other side
  // needs our time slice). Block: count ourselves as a waiter, then sleep on `changes` unless it
  // moved since we last looked.
  template <class Ready>
  static void wait(std::atomic<std::uint32_t>& changes, std::atomic<std::uint32_t>& waiters,
                   Ready ready, bool spin) {
    if (spin) {
      for (int i = 0; !ready(); ++i) {
        if ((i & 1023) == 1023) {
          sched_yield();
        } else {
          cpu_relax();
        }
      }
      return;
    }
    while (true) {
      waiters.fetch_add(1, std::memory_order_seq_cst);
      const std::uint32_t seen = changes.load(std::memory_order_seq_cst);
      const bool now = ready();
      if (!now) futex_wait(word(changes), seen);
      waiters.fetch_sub(1, std::memory_order_seq_cst);
      if (now || ready()) return;
    }
  }

  std::byte* slot_at(std::uint32_t message) {
    return memory_.data() + (message % layout_.slots) * layout_.stride;
  }
  static std::atomic<std::uint32_t>& stamp(std::byte* slot) {
    return *std::launder(reinterpret_cast<std::atomic<std::uint32_t>*>(slot));
  }

  RingControl* c_;
  std::span<std::byte> memory_;
  SlotLayout layout_;
  // Each side's own position and the producer's last look at `taken`. Process-local; on the
  // thread backend the producer's and the consumer's thread share this object, so their fields
  // sit on different lines.
  alignas(kCacheLine) std::uint32_t written_ = 0;
  std::uint32_t taken_seen_ = 0;
  alignas(kCacheLine) std::uint32_t read_ = 0;
};

class ShmRingChannel final : public Channel {
 public:
  ShmRingChannel(SharedArena& arena, const SlotLayout& layout, bool spin)
      : rings_{make_ring(arena, layout), make_ring(arena, layout)}, spin_(spin) {}
  void send(int side, std::span<const std::byte> msg) override { rings_[side].write(msg, spin_); }
  void recv(int side, std::span<std::byte> msg) override { rings_[1 - side].read(msg, spin_); }

 private:
  static Ring make_ring(SharedArena& arena, const SlotLayout& layout) {
    auto& control = arena.make_one<RingControl>();
    std::span<std::byte> memory = arena.make<std::byte>(layout.slots * layout.stride);
    for (std::size_t i = 0; i < layout.slots; ++i)
      new (memory.data() + i * layout.stride) std::atomic<std::uint32_t>(0);
    return {control, memory, layout};
  }
  std::array<Ring, 2> rings_;  // rings_[s]: the ring side s writes into
  bool spin_;
};

class ShmRingKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "shm_ring"; }
  [[nodiscard]] std::string_view description() const override {
    return "SPSC ring of message slots in shared memory per direction; wait=block (futex) or "
           "wait=spin";
  }
  [[nodiscard]] bool has_spin_mode() const override { return true; }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return "shm_ring is a single-producer single-consumer ring";
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& arena) const override {
    return std::make_unique<ShmRingChannel>(arena, SlotLayout(spec.message_bytes), spec.spin);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_shm_ring() { return std::make_unique<ShmRingKind>(); }

}  // namespace parbench
