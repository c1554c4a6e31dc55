#pragma once
// A bounded FIFO of fixed-size slots guarded by one mutex and two condition variables: the shape
// of multiprocessing.Queue's guarded buffer. Sync supplies the primitives (process-shared pthread
// ones in shared memory, or std:: ones for threads); the logic is the same for both.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace parbench {

struct SlotQueueCounters {
  std::uint64_t head = 0;  // slots taken
  std::uint64_t tail = 0;  // slots filled
};

template <class Sync>
class SlotQueue {
 public:
  SlotQueue(Sync& sync, SlotQueueCounters& counters, std::span<std::byte> slots,
            std::size_t slot_bytes)
      : sync_(&sync),
        c_(&counters),
        slots_(slots),
        slot_bytes_(slot_bytes),
        capacity_(slots.size() / slot_bytes) {}

  void push(std::span<const std::byte> msg) {
    sync_->lock();
    while (c_->tail - c_->head == capacity_) sync_->wait_not_full();
    std::memcpy(slot(c_->tail), msg.data(), msg.size());
    ++c_->tail;
    sync_->signal_not_empty();
    sync_->unlock();
  }

  void pop(std::span<std::byte> msg) {
    sync_->lock();
    while (c_->tail == c_->head) sync_->wait_not_empty();
    std::memcpy(msg.data(), slot(c_->head), msg.size());
    ++c_->head;
    sync_->signal_not_full();
    sync_->unlock();
  }

  // Slots for messages of `bytes`: enough to keep both sides busy, bounded to ~8 MiB per queue.
  static std::size_t capacity_for(std::size_t bytes) {
    return std::clamp<std::size_t>((std::size_t{8} << 20) / std::max<std::size_t>(bytes, 1), 2, 64);
  }

 private:
  std::byte* slot(std::uint64_t i) { return slots_.data() + (i % capacity_) * slot_bytes_; }

  Sync* sync_;
  SlotQueueCounters* c_;
  std::span<std::byte> slots_;
  std::size_t slot_bytes_;
  std::size_t capacity_;
};

}  // namespace parbench
