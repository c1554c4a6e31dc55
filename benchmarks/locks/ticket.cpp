// ticket: a ticket spinlock: take a number, wait until it is served. Strictly FIFO, so it is fair,
// and collapses when the next waiter in line is preempted (nobody else may go first).
#include <atomic>

#include "futex.hpp"
#include "lock.hpp"

namespace parbench {
namespace {

struct TicketState {
  alignas(kCacheLine) std::atomic<std::uint32_t> next{0};     // taken by arriving lockers
  alignas(kCacheLine) std::atomic<std::uint32_t> serving{0};  // read by every waiter
};

class Ticket final : public Lock {
 public:
  explicit Ticket(TicketState& s) : s_(&s) {}
  void lock(int /*worker*/) override {
    const std::uint32_t mine = s_->next.fetch_add(1, std::memory_order_relaxed);
    while (s_->serving.load(std::memory_order_acquire) != mine) cpu_relax();
  }
  void unlock(int /*worker*/) override { s_->serving.fetch_add(1, std::memory_order_release); }

 private:
  TicketState* s_;
};

class TicketKind final : public LockKind {
 public:
  [[nodiscard]] std::string_view name() const override { return "ticket"; }
  [[nodiscard]] std::string_view description() const override { return "ticket spinlock (FIFO)"; }
  [[nodiscard]] std::unique_ptr<Lock> create(SharedArena& arena,
                                             int /*max_workers*/) const override {
    return std::make_unique<Ticket>(arena.make_one<TicketState>());
  }
};

}  // namespace

std::unique_ptr<LockKind> make_lock_ticket() { return std::make_unique<TicketKind>(); }

}  // namespace parbench
