// inproc_queue: the in-process baseline for threads: the same bounded queue as shm_queue but with
// std::mutex and std::condition_variable in ordinary memory. Threads only: a forked process would
// get its own copy.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "channel.hpp"
#include "prefault.hpp"
#include "slot_queue.hpp"

namespace parbench {
namespace {

struct StdSync {
  std::mutex mutex;
  std::condition_variable not_empty, not_full;
  SlotQueueCounters counters;

  void lock() { mutex.lock(); }
  void unlock() { mutex.unlock(); }
  void wait_not_empty() { wait(not_empty); }
  void wait_not_full() { wait(not_full); }
  void signal_not_empty() { not_empty.notify_one(); }
  void signal_not_full() { not_full.notify_one(); }

 private:
  void wait(std::condition_variable& cv) {
    std::unique_lock<std::mutex> held(mutex, std::adopt_lock);  // the queue already holds it
    cv.wait(held);
    held.release();
  }
};

struct Direction {
  explicit Direction(std::size_t bytes)
      : storage(SlotQueue<StdSync>::capacity_for(bytes) * bytes),
        queue(sync, sync.counters, storage, bytes) {}
  StdSync sync;
  std::vector<std::byte> storage;
  SlotQueue<StdSync> queue;
};

class InprocQueueChannel final : public Channel {
 public:
  explicit InprocQueueChannel(std::size_t bytes)
      : dir_{std::make_unique<Direction>(bytes), std::make_unique<Direction>(bytes)} {}
  void send(int side, std::span<const std::byte> msg) override { dir_[side]->queue.push(msg); }
  void recv(int side, std::span<std::byte> msg) override { dir_[1 - side]->queue.pop(msg); }
  void prefault() override {
    for (auto& d : dir_) parbench::prefault(d->storage.data(), d->storage.size(), true);
  }

 private:
  std::array<std::unique_ptr<Direction>, 2> dir_;  // dir_[s]: the queue side s sends into
};

class InprocQueueKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "inproc_queue"; }
  [[nodiscard]] std::string_view description() const override {
    return "threads-only baseline: bounded queue with std::mutex + std::condition_variable";
  }
  [[nodiscard]] bool threads_only() const override { return true; }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return std::nullopt;  // each message is sent and received whole
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& /*arena*/) const override {
    return std::make_unique<InprocQueueChannel>(spec.message_bytes);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_inproc_queue() {
  return std::make_unique<InprocQueueKind>();
}

}  // namespace parbench
