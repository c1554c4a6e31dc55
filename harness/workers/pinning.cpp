#include "pinning.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "bad_input.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

int parse_cpu(std::string_view item, std::string_view whole) {
  int value = -1;
  const auto* end = item.data() + item.size();
  auto [ptr, ec] = std::from_chars(item.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    throw BadInput(
        fmt::format("--pin: '{}' is not a policy; use none, compact, spread, same-cpu, same-core, "
                    "cross-core, cross-numa, or CPU numbers joined by '+' (ranges a-b allowed), "
                    "e.g. 0+1 or 0-3",
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

// The PUs of `cores` with the first thread of every core before any core's second thread: the order
// in which workers get a core of their own for as long as possible.
std::vector<int> cores_first(const std::vector<std::vector<int>>& cores) {
  std::vector<int> out;
  for (std::size_t round = 0;; ++round) {
    const std::size_t before = out.size();
    for (const auto& core : cores) {
      if (round < core.size()) out.push_back(core[round]);
    }
    if (out.size() == before) return out;
  }
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
  } else if (text == "same-cpu") {
    p.kind_ = Kind::SameCpu;
  } else if (text == "same-core") {
    p.kind_ = Kind::SameCore;
  } else if (text == "cross-core") {
    p.kind_ = Kind::CrossCore;
  } else if (text == "cross-numa") {
    p.kind_ = Kind::CrossNuma;
  } else {
    if (text.empty()) {
      throw BadInput(
          "--pin: empty policy; use none, compact, spread, same-cpu, same-core, cross-core, "
          "cross-numa or a CPU list");
    }
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

std::vector<int> PinPolicy::assign(int workers) const { return assign(workers, Topology::get()); }

std::optional<std::string> PinPolicy::unavailable(const Topology& topo) const {
  if (kind_ == Kind::CrossNuma && topo.numa_pus.size() < 2) {
    return fmt::format("pin cross-numa needs CPUs on 2 or more NUMA nodes; this machine has {}",
                       topo.numa_pus.size());
  }
  return std::nullopt;
}

std::vector<int> PinPolicy::assign(int workers, const Topology& topo) const {
  std::vector<int> out;
  const auto at = [](const std::vector<int>& v, int i) {
    return v[static_cast<std::size_t>(i) % v.size()];
  };
  switch (kind_) {
    case Kind::None:
      return out;
    case Kind::Spread:
      return topo.spread(workers);
    case Kind::Compact:
      for (int i = 0; i < workers; ++i) out.push_back(at(topo.pus_compact, i));
      return out;
    case Kind::SameCpu:
      out.assign(static_cast<std::size_t>(workers), topo.pus_compact.front());
      return out;
    case Kind::SameCore:
      for (int i = 0; i < workers; ++i) out.push_back(at(topo.core_pus.front(), i));
      return out;
    case Kind::CrossCore: {
      const std::vector<int> order = cores_first(topo.core_pus);
      for (int i = 0; i < workers; ++i) out.push_back(at(order, i));
      return out;
    }
    case Kind::CrossNuma: {
      if (unavailable(topo)) return out;
      // Worker i on node i mod nodes, on that node's next core of its own.
      std::vector<std::vector<int>> per_node;
      for (const auto& node : topo.numa_pus) {
        std::vector<std::vector<int>> cores;
        for (const auto& core : topo.core_pus) {
          if (std::find(node.begin(), node.end(), core.front()) != node.end())
            cores.push_back(core);
        }
        per_node.push_back(cores.empty() ? node : cores_first(cores));
      }
      const std::size_t nodes = per_node.size();
      for (int i = 0; i < workers; ++i) {
        const auto& node = per_node[static_cast<std::size_t>(i) % nodes];
        out.push_back(at(node, static_cast<int>(static_cast<std::size_t>(i) / nodes)));
      }
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
