#include "channel.hpp"
#include "channel_list.hpp"

namespace parbench {

#define PARBENCH_DECLARE(name) std::unique_ptr<ChannelKind> make_channel_##name();
PARBENCH_CHANNELS(PARBENCH_DECLARE)
#undef PARBENCH_DECLARE

const std::vector<std::unique_ptr<ChannelKind>>& all_channels() {
  static const auto channels = [] {
    std::vector<std::unique_ptr<ChannelKind>> v;
#define PARBENCH_ADD(name) v.push_back(make_channel_##name());
    PARBENCH_CHANNELS(PARBENCH_ADD)
#undef PARBENCH_ADD
    return v;
  }();
  return channels;
}

const ChannelKind* find_channel(std::string_view name) {
  for (const auto& c : all_channels()) {
    if (c->name() == name) return c.get();
  }
  if (mpi_channel().name() == name) return &mpi_channel();
  return nullptr;
}

std::vector<std::string> channel_names() {
  std::vector<std::string> out;
  for (const auto& c : all_channels()) out.emplace_back(c->name());
  return out;
}

}  // namespace parbench
