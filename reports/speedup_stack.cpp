#include "speedup_stack.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "stats.hpp"

namespace parbench {
namespace {

// The median of one component over the repetitions that have it; empty when one lacks it.
template <class Get>
std::optional<double> median_over(const std::vector<RepTimes>& reps, Get get) {
  std::vector<double> v;
  for (const RepTimes& r : reps) {
    const std::optional<double> x = get(r);
    if (!x) return std::nullopt;
    v.push_back(*x);
  }
  return median_of(v);
}

}  // namespace

void add_speedup_stack(SummaryRow& many, const SummaryRow& one) {
  if (many.workers < 2 || !many.speedup || !one.work_per_s || *one.work_per_s <= 0) return;
  const bool timed = !many.rep_times.empty() && !one.rep_times.empty() &&
                     std::all_of(many.rep_times.begin(), many.rep_times.end(), [](auto& r) {
                       return r.skew_ns && r.imbalance_ns && r.wall_ns > 0 && r.work > 0;
                     });
  if (!timed) {
    many.stack_note =
        "no stack: the rows lack the workers' times on one clock (skew_total_ns, "
        "imbalance_total_ns: a report from before they existed, or ranks on several hosts)";
    return;
  }
  // The 1-worker case, per unit of work: wall (from its rate) = CPU + the rest.
  const double wall1 = 1e9 / *one.work_per_s;
  std::vector<double> cpu_per_unit;
  for (const RepTimes& r : one.rep_times) {
    if (r.work > 0) cpu_per_unit.push_back(r.cpu_ns / r.work);
  }
  const double cpu1 = median_of(cpu_per_unit).value_or(wall1);
  const double off1 = wall1 - cpu1;
  const double n = many.workers;
  const auto off_beyond = [&](const RepTimes& r) {  // off-CPU beyond the 1-worker case's, in T
    const double off = n * r.wall_ns - *r.skew_ns - *r.imbalance_ns - r.cpu_ns;
    return (off - r.work * off1) / r.wall_ns;
  };
  const auto others = [&](const RepTimes& r) -> std::optional<double> {
    if (!r.others_ns) return std::nullopt;
    return std::clamp(*r.others_ns / r.wall_ns, 0.0, std::max(off_beyond(r), 0.0));
  };
  SpeedupStack s;
  const auto& reps = many.rep_times;
  s.start_skew = median_over(reps, [](const RepTimes& r) { return *r.skew_ns / r.wall_ns; });
  s.imbalance = median_over(reps, [](const RepTimes& r) { return *r.imbalance_ns / r.wall_ns; });
  s.others_cpu = median_over(reps, others);
  s.off_cpu = median_over(reps, [&](const RepTimes& r) -> std::optional<double> {
    return off_beyond(r) - others(r).value_or(0);
  });
  s.more_cpu = median_over(reps, [&](const RepTimes& r) -> std::optional<double> {
    return (r.cpu_ns - r.work * cpu1) / r.wall_ns;
  });
  if (!s.others_cpu) many.stack_note = "other load not measured: it is counted as off-CPU";
  s.residual = n - *many.speedup;
  for (const auto& p : stack_parts(s)) {
    if (p.column != "lost_residual") s.residual -= p.value.value_or(0);
  }
  many.stack = s;
}

void add_stack_ceiling(SummaryRow& row, std::optional<double> ceiling) {
  if (!row.stack) return;
  SpeedupStack& s = *row.stack;
  if (!ceiling) {
    const std::string note = "no speedup ceiling measured: the machine's share is not separated";
    row.stack_note = row.stack_note.empty() ? note : row.stack_note + "; " + note;
    return;
  }
  // What N independent loops lose here shows up in a case as more CPU per unit (a slower shared
  // core) or as CPU the hypervisor and neighbours took: it is taken from those, in that order.
  double left = std::max(0.0, row.workers - *ceiling);
  double taken = 0;
  for (std::optional<double>* from : {&s.more_cpu, &s.others_cpu}) {
    if (!*from || **from <= 0) continue;
    const double take = std::min(left, **from);
    **from -= take;
    left -= take;
    taken += take;
  }
  s.ceiling = taken;
}

std::vector<StackPart> stack_parts(const SpeedupStack& s) {
  return {{"lost_start_skew", "start skew", "start skew", s.start_skew},
          {"lost_imbalance", "imbalance (workers waiting for the last)", "imbalance", s.imbalance},
          {"lost_off_cpu", "time blocked or sleeping", "blocked/sleeping", s.off_cpu},
          {"lost_others_cpu", "CPU taken by other load", "others' CPU", s.others_cpu},
          {"lost_more_cpu", "more CPU per unit of work than at one worker", "more CPU/unit",
           s.more_cpu},
          {"lost_ceiling", "the machine's own speedup ceiling", "machine ceiling", s.ceiling},
          {"lost_residual", "unexplained (residual)", "residual", s.residual}};
}

std::optional<StackPart> largest_loss(const SpeedupStack& s) {
  std::optional<StackPart> best;
  for (const auto& p : stack_parts(s)) {
    if (p.value && *p.value > 0 && (!best || *p.value > *best->value)) best = p;
  }
  return best;
}

std::string stack_line(const SummaryRow& row) {
  if (!row.stack || !row.speedup) return "";
  auto parts = stack_parts(*row.stack);
  std::stable_sort(parts.begin(), parts.end(), [](const StackPart& a, const StackPart& b) {
    return std::fabs(a.value.value_or(0)) > std::fabs(b.value.value_or(0));
  });
  std::string out = fmt::format("{:.2f}x of {}", *row.speedup, row.workers);
  std::string sep = ": ";
  for (const auto& p : parts) {
    if (!p.value || std::fabs(*p.value) < 0.005) continue;
    out += fmt::format("{}{} {:.2f}", sep, p.brief, *p.value);
    sep = ", ";
  }
  return out;
}

}  // namespace parbench
