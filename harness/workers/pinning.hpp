#pragma once
// Where workers run. A policy is one of
//   none        no pinning: the scheduler places workers
//   compact     fill one core's hardware threads, then the next core (hwloc logical order)
//   spread      as far apart as the topology allows (packages, caches, cores)
//   same-cpu    every worker on one CPU: they take turns
//   same-core   every worker on the hardware threads of one core (one CPU without SMT), sharing
//               every cache
//   cross-core  one worker per core, neighbouring cores first; wraps when workers exceed cores
//   cross-numa  workers alternate between NUMA nodes; unsupported on a machine with one node
//   0+2+4-7     an explicit list of OS CPU numbers joined by '+' (ranges a-b allowed); worker i
//   gets
//               the (i mod length)-th CPU. '+' rather than ',' because ',' separates policies.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

struct Topology;

class PinPolicy {
 public:
  // Throws BadInput naming the policy and the accepted forms, or a CPU this process may not use.
  static PinPolicy parse(std::string_view text);
  static PinPolicy none() { return parse("none"); }

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool pins() const { return kind_ != Kind::None; }
  // The CPU of each worker (empty when not pinning), on this machine or a given topology.
  [[nodiscard]] std::vector<int> assign(int workers) const;
  [[nodiscard]] std::vector<int> assign(int workers, const Topology& topo) const;
  // Why the topology cannot provide this placement (cross-numa on one node); nullopt when it can.
  [[nodiscard]] std::optional<std::string> unavailable(const Topology& topo) const;

 private:
  enum class Kind { None, Compact, Spread, SameCpu, SameCore, CrossCore, CrossNuma, List };
  Kind kind_ = Kind::None;
  std::string name_;
  std::vector<int> cpus_;
};

}  // namespace parbench
