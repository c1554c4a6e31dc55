// shm_queue: a bounded multi-producer multi-consumer FIFO in shared memory, guarded by a
// process-shared pthread mutex and two process-shared condition variables: the C++ counterpart of
// a multiprocessing.Queue. One queue per direction.
#include <pthread.h>

#include "channel.hpp"
#include "slot_queue.hpp"
#include "sys_error.hpp"

namespace parbench {
namespace {

// Lives in shared memory; pthread objects need no destructor, so a forked worker can share them.
struct PshSync {
  pthread_mutex_t mutex;
  pthread_cond_t not_empty, not_full;
  SlotQueueCounters counters;

  void init() {
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    if (const int rc = pthread_mutex_init(&mutex, &ma); rc != 0)
      throw_sys("pthread_mutex_init", rc);
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    for (pthread_cond_t* c : {&not_empty, &not_full}) {
      if (const int rc = pthread_cond_init(c, &ca); rc != 0) throw_sys("pthread_cond_init", rc);
    }
    pthread_condattr_destroy(&ca);
  }
  void lock() { pthread_mutex_lock(&mutex); }
  void unlock() { pthread_mutex_unlock(&mutex); }
  void wait_not_empty() { pthread_cond_wait(&not_empty, &mutex); }
  void wait_not_full() { pthread_cond_wait(&not_full, &mutex); }
  void signal_not_empty() { pthread_cond_signal(&not_empty); }
  void signal_not_full() { pthread_cond_signal(&not_full); }
};

class ShmQueueChannel final : public Channel {
 public:
  ShmQueueChannel(SharedArena& arena, std::size_t bytes)
      : q_{make(arena, bytes), make(arena, bytes)} {}
  void send(int side, std::span<const std::byte> msg) override { q_[side].push(msg); }
  void recv(int side, std::span<std::byte> msg) override { q_[1 - side].pop(msg); }

 private:
  static SlotQueue<PshSync> make(SharedArena& arena, std::size_t bytes) {
    auto& sync = arena.make_one<PshSync>();
    sync.init();
    const std::size_t capacity = SlotQueue<PshSync>::capacity_for(bytes);
    return {sync, sync.counters, arena.make<std::byte>(capacity * bytes), bytes};
  }
  std::array<SlotQueue<PshSync>, 2> q_;  // q_[s]: the queue side s sends into
};

class ShmQueueKind final : public ChannelKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "shm_queue"; }
  [[nodiscard]] std::string_view description() const override {
    return "bounded MPMC queue in shared memory: process-shared mutex + condition variables";
  }
  [[nodiscard]] std::optional<std::string> many_to_many(std::size_t /*bytes*/) const override {
    return std::nullopt;  // each message is sent and received whole
  }
  [[nodiscard]] std::unique_ptr<Channel> create(const ChannelSpec& spec,
                                                SharedArena& arena) const override {
    return std::make_unique<ShmQueueChannel>(arena, spec.message_bytes);
  }
};

}  // namespace

std::unique_ptr<ChannelKind> make_channel_shm_queue() { return std::make_unique<ShmQueueKind>(); }

}  // namespace parbench
