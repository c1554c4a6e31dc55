#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "compare_cases.hpp"
#include "stats.hpp"

// What compare judges against the machine it ran on: the machine probe's two measures before
// every repetition (busy_work.hpp), the repetitions it set aside and the changes it explains.
namespace parbench {

std::optional<double> change_at_equal_capacity(double ratio, Direction direction, double capacity) {
  if (capacity <= 0 || ratio <= 0) return std::nullopt;
  const bool worse = direction == Direction::HigherIsBetter ? ratio < 1 : ratio > 1;
  const bool moved = worse ? capacity < 1 - kCapacityTolerance : capacity > 1 + kCapacityTolerance;
  if (!moved) return std::nullopt;
  return (direction == Direction::HigherIsBetter ? ratio / capacity : ratio * capacity) - 1;
}

std::optional<double> change_at_equal_machine(const std::string& measure, double ratio,
                                              Direction direction, double probe) {
  const auto proportional = change_at_equal_capacity(ratio, direction, probe);
  if (!proportional || measure != "machine_throughput") return proportional;
  // Steeper by the elasticity, but never more than twice as steep as in proportion: code that
  // loses 5x when the loop loses 2x lost it to something else.
  const double steepest = probe < 1 ? std::max(std::pow(probe, kThroughputElasticity), probe / 2)
                                    : std::min(std::pow(probe, kThroughputElasticity), probe * 2);
  const auto steep = change_at_equal_capacity(ratio, direction, steepest);
  if (!steep) return proportional;
  if ((*proportional <= 0) != (*steep <= 0)) return 0.0;  // within the range
  return std::abs(*proportional) < std::abs(*steep) ? proportional : steep;
}

std::string machine_figures(const std::string& measure, double now, double then_value,
                            const std::string& then) {
  if (measure == "machine_throughput") {
    return fmt::format("{:.3f} op/ns of throughput against {:.3f} {} ({})", now, then_value, then,
                       measure);
  }
  if (measure == "machine_capacity") {
    return fmt::format("{:.2f}x of capacity against {:.2f}x {} ({})", now, then_value, then,
                       measure);
  }
  return fmt::format("{:.2f} against {:.2f} {} ({})", now, then_value, then, measure);
}

namespace compare_detail {

// The machine probe's two measures (busy_work.hpp): the latency-bound chain's capacity and the
// throughput-bound loop's rate.
constexpr std::array<const char*, 2> kMachineMeasures = {"machine_capacity", "machine_throughput"};

// A regression (improvement) that came with a machine running the case with less (more) of its
// capacity than in the base, by either of the probe's measures (taken as the metric is: the best
// for best_work_per_s, else the median) by more than kCapacityTolerance, and that the measure
// explains (scaled by it, the change is within the minimum effect), is the machine's doing as far
// as anyone can tell: `disturbed`, reported, not gated. A change larger than every measure
// explains keeps its verdict.
void blame_machine(MetricComparison& m, const std::vector<const Row*>& base,
                   const std::vector<const Row*>& candidate) {
  if (m.verdict != Verdict::Regressed && m.verdict != Verdict::Improved) return;
  // Counts of what the code did (valgrind's, the CPU's instructions) do not depend on how fast
  // the machine ran it.
  if (m.note.starts_with("exact") || m.metric == "callgrind_ir" || m.metric == "instructions")
    return;
  if (m.base_median == 0) return;
  const bool best = m.metric == kBestWorkPerS;
  std::string unexplained;
  for (const char* measure : kMachineMeasures) {
    const std::vector<double> bs = values_of(base, measure), ns = values_of(candidate, measure);
    if (bs.empty() || ns.empty()) continue;
    const double b = best ? *std::max_element(bs.begin(), bs.end()) : *median_of(bs);
    const double n = best ? *std::max_element(ns.begin(), ns.end()) : *median_of(ns);
    if (b <= 0 || n <= 0) continue;
    const auto at_equal =
        change_at_equal_machine(measure, m.new_median / m.base_median, m.direction, n / b);
    if (!at_equal) continue;
    const double adjusted = *at_equal;
    const double worse = m.direction == Direction::LowerIsBetter ? adjusted : -adjusted;
    const std::string machine =
        fmt::format("the machine gave this case {}", machine_figures(measure, n, b, "in the base"));
    if (std::abs(worse) > m.min_effect) {  // more than this measure explains
      if (unexplained.empty())
        unexplained = fmt::format(
            "{}; {:+.1f}% at equal {}", machine, adjusted * 100,
            measure == std::string_view("machine_throughput") ? "throughput" : "capacity");
      continue;
    }
    m.verdict = Verdict::Disturbed;
    m.note = fmt::format("{}, which explains the change: not judged, run again", machine);
    return;
  }
  if (!unexplained.empty()) m.note = unexplained;
}

// The repetitions the machine ran at (nearly) full capacity: those whose probe read at least
// kKeepCapacity of the highest the case saw on either side, by both measures. On this VM a vCPU
// runs at half speed for a few hundred milliseconds at a time, which doubles a repetition's time
// and CPU time and hides a real 50% slowdown from the U-test. Nothing is set aside when either
// side would keep fewer than half its repetitions (the machine changed for the whole run: then
// blame_machine speaks) or when the reports predate the probe.
Undisturbed undisturbed(const CaseRows& b, const CaseRows& n) {
  Undisturbed out{b.ok, n.ok, 0};
  const auto measure = [](const Row* r, bool wide) {
    return wide ? r->machine_throughput : r->machine_capacity;
  };
  std::array<double, 2> most{};
  for (const bool wide : {false, true}) {
    for (const auto* side : {&b.ok, &n.ok}) {
      for (const Row* r : *side)
        most.at(wide ? 1 : 0) = std::max(most.at(wide ? 1 : 0), measure(r, wide).value_or(0));
    }
  }
  if (most[0] <= 0 && most[1] <= 0) return out;
  auto keep = [&](const std::vector<const Row*>& rows) {
    std::vector<const Row*> kept;
    for (const Row* r : rows) {
      bool full = true;
      for (const bool wide : {false, true}) {
        const auto v = measure(r, wide);
        if (v && *v < kKeepCapacity * most.at(wide ? 1 : 0)) full = false;
      }
      if (full) kept.push_back(r);
    }
    return kept;
  };
  auto base = keep(b.ok), candidate = keep(n.ok);
  if (2 * base.size() < b.ok.size() || 2 * candidate.size() < n.ok.size()) return out;
  out.set_aside = b.ok.size() + n.ok.size() - base.size() - candidate.size();
  out.base = std::move(base);
  out.candidate = std::move(candidate);
  return out;
}

}  // namespace compare_detail
}  // namespace parbench
