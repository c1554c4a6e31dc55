// mcs: the Mellor-Crummey-Scott queue lock. Each waiter spins on a flag in its own node (its own
// cache line), so a release touches one waiter's line instead of every waiter's. FIFO like the
// ticket lock. Nodes are indexed, not pointed to, so the lock works across processes too.
#include <atomic>

#include "futex.hpp"
#include "lock.hpp"

namespace parbench {
namespace {

constexpr std::uint32_t kNone = 0xFFFFFFFF;

struct alignas(kCacheLine) McsNode {
  std::atomic<std::uint32_t> next{kNone};
  std::atomic<std::uint32_t> waiting{0};
};

struct alignas(kCacheLine) McsTail {
  std::atomic<std::uint32_t> tail{kNone};
};

class Mcs final : public Lock {
 public:
  Mcs(McsTail& t, std::span<McsNode> nodes) : t_(&t), nodes_(nodes) {}
  void lock(int worker) override {
    const auto me = static_cast<std::uint32_t>(worker);
    McsNode& node = nodes_[me];
    node.next.store(kNone, std::memory_order_relaxed);
    node.waiting.store(1, std::memory_order_relaxed);
    const std::uint32_t prev = t_->tail.exchange(me, std::memory_order_acq_rel);
    if (prev == kNone) return;
    nodes_[prev].next.store(me, std::memory_order_release);
    while (node.waiting.load(std::memory_order_acquire) != 0) cpu_relax();
  }
  void unlock(int worker) override {
    const auto me = static_cast<std::uint32_t>(worker);
    McsNode& node = nodes_[me];
    std::uint32_t next = node.next.load(std::memory_order_acquire);
    if (next == kNone) {
      std::uint32_t expected = me;
      if (t_->tail.compare_exchange_strong(expected, kNone, std::memory_order_acq_rel)) return;
      // A successor swapped itself in but has not linked yet: wait for the link.
      while ((next = node.next.load(std::memory_order_acquire)) == kNone) cpu_relax();
    }
    nodes_[next].waiting.store(0, std::memory_order_release);
  }

 private:
  McsTail* t_;
  std::span<McsNode> nodes_;
};

class McsKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "mcs"; }
  [[nodiscard]] std::string_view description() const override {
    return "MCS queue lock: each waiter spins on its own cache line (FIFO)";
  }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena, int max_workers) const override {
    return std::make_unique<Mcs>(arena.make_one<McsTail>(),
                                 arena.make<McsNode>(static_cast<std::size_t>(max_workers)));
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_mcs() { return std::make_unique<McsKind>(); }

}  // namespace parbench
