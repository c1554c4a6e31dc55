#pragma once
// The report's first section: what a reader wants before any table. For each workload its fastest
// and slowest case (work per second, with the share of the machine's limit where one applies) and
// the case farthest from that limit; the cases that need a look (noisy, failed, unsupported); the
// IPC channels ranked by round trip and by throughput; the locks and other synchronization
// mechanisms ranked at the most workers, with their fairness.
#include <string>
#include <vector>

#include "report_meta.hpp"
#include "summary.hpp"

namespace parbench {

struct HeadlineSection {
  std::string title;               // "Per workload", "Needs a look", "Rankings"
  std::vector<std::string> lines;  // one finding each
};

std::vector<HeadlineSection> report_headline(const std::vector<SummaryRow>& summary,
                                             const ReportMeta& meta);

}  // namespace parbench
