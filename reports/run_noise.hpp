#pragma once
// How much a case's run-level figure moves from one separate run to the next, learned from the
// runs a history holds (history.hpp), so that `compare --history` judges a change against the
// spread between runs and not only against the spread of one run's repetitions.
//
// Repetitions of one run share the machine's state at that moment (the neighbours on a shared VM,
// the CPU's clock, where the pages landed); the next run draws a new state. A U-test on
// repetitions therefore calls a between-run shift significant, and on this kind of machine
// separate identical runs differ by 5-30% in some cases. Two figures describe the spread:
//   - sigma: the standard deviation of one run's log value, from the median of the moving ranges
//     |log x_i - log x_(i-1)| divided by 0.954 (the median of |N(0,2)|), as an individuals control
//     chart does. Consecutive differences make it blind to a lasting step (a real change earlier
//     in the history), and the median to a few outlying runs.
//   - unstable: the values fall in two levels and the series keeps switching between them, as a
//     futex mutex's throughput does on a VM. All of these must hold (of the log values):
//       the bimodality coefficient exceeds 5/9 (Pfister et al., Frontiers in Psychology 4:700,
//       2013), which a normal sample of 30 does 0.3% of the time;
//       the two-group split with the smallest within-group sum of squares (each group at least a
//       fifth of the runs and 3 of them) has Ashman's D = sqrt(2)|m1 - m2| / sqrt(s1^2 + s2^2)
//       above 2 (Ashman, Bird and Zepf, AJ 108, 1994) and levels further apart than `min_gap`;
//       the series switches level at least 4 times in time order (one step, or a step and a
//       return, is a change, not a flip).
//     Simulated with 30 runs: a 25% second level in a third of the runs, sd 1%, is found 99.9% of
//     the time; normal noise of sd 3% is called unstable 0.3% of the time, Student t(3) noise 2%.
#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace parbench {

inline constexpr std::size_t kMinNoiseRuns = 5;  // fewer runs teach nothing about the spread

struct RunNoise {
  std::size_t runs = 0;  // positive run-level values it was learned from
  double sigma = 0;      // standard deviation of log(value) between runs
  bool unstable = false;
  double low = 0, high = 0;  // the two levels (medians) when unstable
  // The standard deviation of log(value) within each level, when unstable: how far a run of that
  // level strays from it.
  double low_sigma = 0, high_sigma = 0;
  std::size_t switches = 0;  // level switches in time order when unstable
  // The relative change that `sigmas` standard deviations of the difference of two runs make:
  // exp(sigmas * sqrt(2) * sigma) - 1.
  [[nodiscard]] double threshold(double sigmas) const;
  // The same for one level of an unstable case (its own within-level spread).
  [[nodiscard]] double level_threshold(bool low_level, double sigmas) const;
  [[nodiscard]] std::string describe() const;  // "sd 1.8% over 24 runs", "two levels ..."
};

// nullopt with fewer than kMinNoiseRuns positive values (oldest first).
std::optional<RunNoise> between_run_noise(std::span<const double> values, double min_gap = 0.03);

}  // namespace parbench
