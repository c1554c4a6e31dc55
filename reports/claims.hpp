#pragma once
// The claims table: each pattern of the multiprocessing suite, the claim people repeat about
// it, the figures measured per backend, and a verdict computed from those figures by the rule in
// the legend. A claim holds on this machine when its rule is true for every backend that measured
// it; "holds on X only" when it is true for some; "not measured" when no backend ran it.
#include <string>
#include <vector>

#include "limits.hpp"
#include "summary.hpp"

namespace parbench {

struct ClaimVerdict {
  std::string scenario;
  std::string claim;
  std::string rule;
  std::vector<std::pair<std::string, std::string>> figures;  // backend -> what was measured
  std::string verdict;
  // What this machine allows that the figures run into (parbench limits), "" when nothing applies
  // or the run has no limits: why a figure is what it is.
  std::string limit;
};

// From the summary of a run that included the multiprocessing suite; `cpus` is what the run could
// use, and `backends` the table's columns in order (the suite's backends: benchmarks/suites.cpp).
std::vector<ClaimVerdict> judge_claims(const std::vector<SummaryRow>& summary, int cpus,
                                       const std::vector<std::string>& backends,
                                       const MachineLimits& limits = {});

std::string format_claims_text(const std::vector<ClaimVerdict>& verdicts);
std::string format_claims_markdown(const std::vector<ClaimVerdict>& verdicts);

}  // namespace parbench
