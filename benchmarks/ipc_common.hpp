#pragma once
// What the IPC workloads share: the channel, size, wait and placement parameters, and a fresh
// channel for every repetition (a repetition killed mid-transfer cannot leave bytes behind for the
// next one), checked against what the backend and the channel allow.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "channels/channel.hpp"
#include "workload.hpp"

namespace parbench {

// channel, size, wait, placement (with the given default placements), count.
std::vector<ParamSpec> ipc_params(std::vector<std::string> default_placements,
                                  const std::string& count_help);

// The pin policy for placement=same_core / cross_core; nullopt for none or when the machine has
// too few CPUs (the case then reports itself unsupported).
std::optional<std::string> ipc_placement_pin(const ParamValues& params);

// What the IPC workloads have in common: two workers by default, and placement decides pinning.
class IpcWorkload : public Workload {
 public:
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {2}; }
  [[nodiscard]] std::optional<std::string> pin_for(const ParamValues& params) const override {
    return ipc_placement_pin(params);
  }
};

class IpcChannel {
 public:
  enum class Parties { Two, Many };  // exactly 2 workers, or many senders and receivers
  IpcChannel(std::string workload, const ParamValues& params, Parties parties = Parties::Two);

  [[nodiscard]] const ChannelKind& kind() const { return *kind_; }
  // Checks the case and creates a new channel. Throws Unsupported for a wrong worker count (Two),
  // a channel that cannot have many senders and receivers (Many), a
  // threads-only channel on processes, no spin mode, an impossible placement, or a message over
  // the channel's limit on this machine (naming the limit).
  void renew(const RepInfo& rep);

  [[nodiscard]] Channel& get() { return *channel_; }
  // In each worker before the gate: map the channel's buffers so no page fault is timed.
  void prefault() {
    arena_.prefault();
    channel_->prefault();
  }
  [[nodiscard]] std::size_t size() const { return size_; }
  // `count`, or the automatic count: budget_bytes / size, clamped to [lo, hi].
  [[nodiscard]] std::int64_t count_or(std::int64_t budget_bytes, std::int64_t lo,
                                      std::int64_t hi) const;

 private:
  std::string workload_;
  Parties parties_;
  const ChannelKind* kind_;
  std::size_t size_;
  bool spin_;
  std::string placement_;
  bool placement_possible_;
  std::int64_t count_;
  std::unique_ptr<Channel> channel_;
  SharedArena arena_;  // declared after channel_: the channel is destroyed first
};

}  // namespace parbench
