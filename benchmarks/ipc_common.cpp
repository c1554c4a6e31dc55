#include "ipc_common.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "channels/message.hpp"
#include "limits.hpp"

namespace parbench {

namespace {

std::vector<std::string> crossing_channels() {
  std::vector<std::string> out;
  for (const auto& c : all_channels()) {
    if (c->crosses_hosts()) out.emplace_back(c->name());
  }
  return out;
}

}  // namespace

std::vector<ParamSpec> ipc_params(std::vector<std::string> default_placements,
                                  const std::string& count_help) {
  return {
      ParamSpec::choice("channel",
                        "IPC method (parbench list shows them all); mpi only on --backend mpi",
                        channel_names(/*local_only=*/true), channel_names()),
      ParamSpec::integer("size", "message size in bytes, sequence number and check words included",
                         {"8", "64", "512", "4Ki", "32Ki", "256Ki", "1Mi"},
                         static_cast<std::int64_t>(kMinMessageBytes), std::int64_t{64} << 20),
      ParamSpec::choice(
          "wait", "how a side waits for the other: block in the kernel, or busy-spin (shm_ring)",
          {"block"}, {"block", "spin"}),
      ParamSpec::choice("placement",
                        "same_core: both sides pinned to one CPU; cross_core: two different cores; "
                        "none: the scheduler decides (or --pin)",
                        std::move(default_placements), {"same_core", "cross_core", "none"}),
      ParamSpec::integer("count", count_help, {"0"}, 0, 100'000'000),
  };
}

std::optional<std::string> ipc_placement_pin(const ParamValues& params) {
  const auto cpus = placement_cpus(params.get("placement"));
  if (!cpus) return std::nullopt;
  return fmt::format("{}+{}", cpus->first, cpus->second);
}

IpcChannel::IpcChannel(std::string workload, const ParamValues& params, Parties parties)
    : workload_(std::move(workload)),
      parties_(parties),
      kind_(find_channel(params.get("channel"))),
      size_(static_cast<std::size_t>(params.get_int("size"))),
      spin_(params.get("wait") == "spin"),
      placement_(params.get("placement")),
      placement_possible_(placement_ == "none" || ipc_placement_pin(params).has_value()),
      count_(params.get_int("count")) {}

void IpcChannel::renew(const RepInfo& rep) {
  if (parties_ == Parties::Two && rep.workers != 2) {
    throw Unsupported(
        fmt::format("{} runs between exactly 2 workers, not {}", workload_, rep.workers));
  }
  if (parties_ == Parties::Many) {
    if (auto why = kind_->many_to_many(size_)) throw Unsupported(*why);
  }
  if (kind_->crosses_hosts() && !rep.traits.crosses_hosts) {
    throw Unsupported(fmt::format(
        "the {} channel runs between workers that may be on different hosts: use a backend "
        "whose workers cross hosts (--backend mpi under mpirun)",
        kind_->name()));
  }
  if (!kind_->crosses_hosts() && rep.traits.crosses_hosts) {
    throw Unsupported(fmt::format(
        "on the {} backend the workers may be on different hosts, and only a channel that "
        "crosses hosts ({}) links them; {} needs a parent that creates it before the workers start",
        rep.backend, fmt::join(crossing_channels(), ", "), kind_->name()));
  }
  if (kind_->threads_only() && !rep.traits.shares_address_space) {
    throw Unsupported(fmt::format("{} lives in one address space: threads only", kind_->name()));
  }
  if (spin_ && !kind_->has_spin_mode()) {
    throw Unsupported(fmt::format("wait=spin: {} has no busy-spin mode", kind_->name()));
  }
  if (!placement_possible_) {
    throw Unsupported(
        fmt::format("placement={} needs more CPUs than this process may use", placement_));
  }
  // Over the channel's limit on this machine: a row naming the limit, and the sweep goes on.
  if (auto why = kind_->size_limit(size_)) throw Unsupported(*why);
  channel_.reset();
  arena_ = SharedArena();
  channel_ = kind_->create(ChannelSpec{size_, spin_, placement_ == "same_core"}, arena_);
}

std::int64_t IpcChannel::count_or(std::int64_t budget_bytes, std::int64_t lo,
                                  std::int64_t hi) const {
  if (count_ > 0) return count_;
  return std::clamp<std::int64_t>(budget_bytes / static_cast<std::int64_t>(size_), lo, hi);
}

}  // namespace parbench
