#pragma once
// Why a multi-worker case is not N times as fast as its 1-worker case: a speedup stack (Eyerman,
// Du Bois and Eeckhout, "Speedup Stacks", ISPASS 2012) built from operating-system time
// accounting instead of their hardware cycle accounting, from what the runner records anyway.
//
// Each of the N workers has the repetition's wall time T to spend. It spends it waiting at the
// start (skew), waiting for the last worker at the end (imbalance), on CPU, or off it. The
// 1-worker case spent, per unit of work, c1 on CPU and o1 off it (its wall per unit is c1 + o1).
// With u units done:
//   N·T = skew + imbalance + (off − u·o1) + (cpu − u·c1) + u·(c1 + o1)
// and u·(c1 + o1) / T is the achieved speedup, so dividing by T splits N into the speedup and
// one component per cause. Off-CPU time beyond the 1-worker case's is CPU taken by others up to
// the workers' run delay plus steal (summary.cpp's rep_times), and blocked or sleeping for the
// rest. Of the extra CPU per unit and the others' CPU, what the machine's speedup ceiling at N (N
// independent loops, parbench limits) also loses is shown as the ceiling. Components are medians
// over repetitions; the residual is N − speedup − the components, shown, never hidden.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "summary.hpp"

namespace parbench {

// The stack of `many` against its 1-worker case `one`; sets many.stack, or many.stack_note when
// the rows lack what it needs.
void add_speedup_stack(SummaryRow& many, const SummaryRow& one);

// Separates the part the machine's own speedup ceiling at the row's worker count explains, or
// notes that no ceiling was measured.
void add_stack_ceiling(SummaryRow& row, std::optional<double> ceiling);

struct StackPart {
  std::string_view column;  // the summary column: lost_<name>
  std::string_view label;   // as a reader says it
  std::string_view brief;   // in a one-line list
  std::optional<double> value;
};

// The components in the summary's order, residual last.
std::vector<StackPart> stack_parts(const SpeedupStack& s);

// The largest positive component; nullopt when nothing was lost.
std::optional<StackPart> largest_loss(const SpeedupStack& s);

// "1.62x of 2: others' CPU 0.21, more CPU per unit 0.08, ..." (components of 0.01 and more, the
// largest first).
std::string stack_line(const SummaryRow& row);

}  // namespace parbench
