#include "channel.hpp"
#include "channel_list.hpp"
#include "named_registry.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<ChannelKind> make_channel_##name();
PARBENCH_CHANNELS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

namespace {

const NamedRegistry<ChannelKind>& channel_registry() {
#define PARBENCH_MAKER(name) &make_channel_##name,
  static const NamedRegistry<ChannelKind> channels{PARBENCH_CHANNELS(PARBENCH_MAKER)};
#undef PARBENCH_MAKER
  return channels;
}

}  // namespace

const std::vector<std::unique_ptr<ChannelKind>>& all_channels() { return channel_registry().all(); }

const ChannelKind* find_channel(std::string_view name) { return channel_registry().find(name); }

std::vector<std::string> channel_names(bool local_only) {
  std::vector<std::string> out;
  for (const auto& c : all_channels()) {
    if (!local_only || !c->crosses_hosts()) out.emplace_back(c->name());
  }
  return out;
}

std::vector<std::string> channels_across_hosts() {
  std::vector<std::string> out;
  for (const auto& c : all_channels()) {
    if (c->crosses_hosts()) out.emplace_back(c->name());
  }
  return out;
}

}  // namespace parbench
