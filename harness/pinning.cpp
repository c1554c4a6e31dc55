#include "pinning.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "bad_input.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

int parse_cpu(std::string_view text, std::string_view whole) {
  int value = -1;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    throw BadInput(fmt::format(
        "--pin: '{}' is not a policy; use none, compact, spread, or CPU numbers joined by '+' "
        "(ranges a-b allowed), e.g. 0+1 or 0-3",
        whole));
  }
  return value;
}

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  while (!text.empty()) {
    const auto plus = text.find('+');
    const std::string_view item = text.substr(0, plus);
    const auto dash = item.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(parse_cpu(item, text));
    } else {
      const int lo = parse_cpu(item.substr(0, dash), text);
      const int hi = parse_cpu(item.substr(dash + 1), text);
      if (hi < lo) throw BadInput(fmt::format("--pin: range '{}' runs backwards", item));
      for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    }
    if (plus == std::string_view::npos) break;
    text.remove_prefix(plus + 1);
    if (text.empty()) throw BadInput("--pin: a CPU list may not end with '+'");
  }
  return cpus;
}

}  // namespace

PinPolicy PinPolicy::parse(std::string_view text) {
  PinPolicy p;
  p.name_ = std::string(text);
  if (text == "none") {
    p.kind_ = Kind::None;
  } else if (text == "compact") {
    p.kind_ = Kind::Compact;
  } else if (text == "spread") {
    p.kind_ = Kind::Spread;
  } else {
    if (text.empty())
      throw BadInput("--pin: empty policy; use none, compact, spread or a CPU list");
    p.kind_ = Kind::List;
    p.cpus_ = parse_cpu_list(text);
    const std::vector<int> allowed = allowed_cpus();
    for (int cpu : p.cpus_) {
      if (std::find(allowed.begin(), allowed.end(), cpu) == allowed.end()) {
        throw BadInput(fmt::format("--pin: CPU {} is not available to this process (allowed: {})",
                                   cpu, format_cpu_list(allowed)));
      }
    }
  }
  return p;
}

std::vector<int> PinPolicy::assign(int workers) const {
  std::vector<int> out;
  switch (kind_) {
    case Kind::None:
      return out;
    case Kind::Spread:
      return Topology::get().spread(workers);
    case Kind::Compact: {
      const auto& pus = Topology::get().pus_compact;
      for (int i = 0; i < workers; ++i)
        out.push_back(pus[static_cast<std::size_t>(i) % pus.size()]);
      return out;
    }
    case Kind::List:
      for (int i = 0; i < workers; ++i)
        out.push_back(cpus_[static_cast<std::size_t>(i) % cpus_.size()]);
      return out;
  }
  return out;
}

}  // namespace parbench
