#pragma once
// What `history check` concludes about one series, beyond its change points (history_report.hpp):
//   - held: the newest level is still worse than the level before a regression step of the code
//     (the last accepted level), by more than the gate's minimum effect (5%, as compare's) and 3
//     standard deviations of the difference of the two levels' means. A partial recovery (-20%,
//     then +6%) still fails, blamed on the first step; a full one passes. A step at an accepted
//     commit (history check --accept, a known and intended change) and everything before it are the
//     accepted level. Steps the machine explains are divided out of the newest level first.
//   - suspect: the newest runs, judged at once, before a change point can place them: the longest
//     tail of at most 5 runs in which every run is worse than the level before it (the median of
//     up to 5 runs, back to the last change point among them) by more than the threshold
//     `compare --history` applies (the larger of the minimum effect and `sigmas` standard
//     deviations of the difference of two runs, learned from the runs before it by their moving
//     ranges), while the level's own newest run is not. The tail is a suspected regression of
//     its first run's commit; change points are then looked for only before it, so an outlying
//     newest run does not pull a step onto an older commit. Later runs confirm it (a change point
//     there once the tail is longer) or clear it (back within the band). A tail the machine
//     explains (the machine probe or cpus_left, as for a step) is reported, not judged.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "history_report.hpp"

namespace parbench {

struct HistoryCheckOptions {
  ChangePointOptions change_points;
  double min_effect = 0.02;   // steps smaller than this are left out
  double gate_effect = 0.05;  // compare's minimum effect: the machine's tolerance, the band's floor
  double sigmas = 4;          // compare --history-sigmas
  std::vector<std::string> accepted;  // commits (or their prefixes) of intended changes
};

struct SeriesVerdict {
  std::vector<SeriesStep> steps;  // among the runs before any suspect
  // Held regression: the step (into steps) the newest level has not recovered from, the level
  // before it, and the newest level (machine steps divided out).
  std::optional<std::size_t> held_step;
  double accepted_level = 0, newest_level = 0;
  // Suspected regression: the first of the newest runs beyond the band (index into points), the
  // level before them and the band (relative).
  std::optional<std::size_t> suspect_at;
  double suspect_level = 0, band = 0;
  // Why the suspect's runs are the machine's (the machine probe or cpus_left moved with them and
  // explain them, as for a step): then it is reported and not judged; "" when they are not.
  std::string suspect_machine;

  [[nodiscard]] bool regressed() const {
    return held_step || (suspect_at && suspect_machine.empty());
  }
};

SeriesVerdict check_series(const Series& s, const MachineByCase& machine,
                           const HistoryCheckOptions& options);

// Whether `commit` is one of `accepted` (equal, or one is a prefix of the other: short hashes).
bool is_accepted(const std::string& commit, const std::vector<std::string>& accepted);

}  // namespace parbench
