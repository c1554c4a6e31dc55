#include "sync_comparison.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "console_table.hpp"

namespace parbench {
namespace {
// Named, so a unity build can put this file beside others with the same local names.
namespace sync_table {

using Format = std::function<std::string(double)>;

std::string si(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string fixed2(double v) { return fmt::format("{:.2f}", v); }
std::string duration(double ns) { return format_duration(ns); }

// A metric shown once per line, at the line's largest worker count.
struct Extra {
  std::string header, metric;
  Format format;
};

// One block per value of `block_param` (or one block when it is empty): a line per value of
// `key_param` and backend, the metric at each worker count in columns, ranked by the metric at
// the largest worker count (best first).
struct Pivot {
  std::string workload, title, key_param, block_param, metric;
  bool higher_is_better = true;
  Format format;
  std::vector<Extra> extras;
};

struct Line {
  std::map<int, std::optional<double>> by_workers;  // nullopt: ran, but not ok
  const SummaryRow* at_most = nullptr;              // the ok row with the most workers
  bool not_applicable = false;                      // unsupported on this backend
};

using Key = std::pair<std::string, std::string>;  // key_param value, backend

// One block's lines (key value and backend -> figure by workers), best first at the most workers.
std::vector<std::pair<Key, Line>> ranked_lines(const std::vector<SummaryRow>& rows, const Pivot& p,
                                               const std::string& block, int most) {
  std::map<Key, Line> lines;
  for (const auto& r : rows) {
    if (r.workload != p.workload) continue;
    if (!p.block_param.empty() && r.param(p.block_param) != block) continue;
    Line& line = lines[{r.param(p.key_param), r.backend}];
    if (r.unsupported) {
      line.not_applicable = true;
      continue;
    }
    line.by_workers[r.workers] = r.ok() ? r.metric(p.metric) : std::nullopt;
    if (r.ok() && (line.at_most == nullptr || r.workers > line.at_most->workers)) line.at_most = &r;
  }
  std::vector<std::pair<Key, Line>> ranked(lines.begin(), lines.end());
  const auto score = [&](const Line& l) {
    const auto it = l.by_workers.find(most);
    if (it == l.by_workers.end() || !it->second) return -std::numeric_limits<double>::infinity();
    return p.higher_is_better ? *it->second : -*it->second;
  };
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const auto& x, const auto& y) { return score(x.second) > score(y.second); });
  return ranked;
}

std::string line_text(int rank, const Key& key, const Line& line, const Pivot& p,
                      const std::set<int>& workers) {
  std::string text = fmt::format("{:>4}  {:<14} {:<8}", rank, key.first, key.second);
  const char* absent = line.not_applicable ? "n/a" : "-";
  for (int w : workers) {
    const auto it = line.by_workers.find(w);
    const bool known = it != line.by_workers.end() && it->second;
    text += fmt::format(" {}", pad_to(known ? p.format(*it->second) : absent, 9, false));
  }
  for (const auto& e : p.extras) {
    // "of_limit" is the summary's own column (of_limit.hpp), every other name a metric.
    const SummaryRow* r = line.at_most;
    const auto v = r == nullptr             ? std::nullopt
                   : e.metric == "of_limit" ? r->of_limit
                                            : r->metric(e.metric);
    text += fmt::format(" {}", pad_to(v ? e.format(*v) : absent, 10, false));
  }
  return text + "\n";
}

// The blocks and worker counts of a pivot's cases (only the successful ones with `ok_only`).
struct Extent {
  std::set<std::string> blocks;
  std::set<int> workers;
};

Extent extent_of(const std::vector<SummaryRow>& rows, const Pivot& p, bool ok_only) {
  Extent e;
  for (const auto& r : rows) {
    if (r.workload != p.workload || (ok_only && !r.ok())) continue;
    e.blocks.insert(p.block_param.empty() ? "" : r.param(p.block_param));
    e.workers.insert(r.workers);
  }
  return e;
}

std::string pivot_table(const std::vector<SummaryRow>& rows, const Pivot& p) {
  const auto [blocks, workers] = extent_of(rows, p, false);
  std::string out;
  for (const auto& block : blocks) {
    const auto ranked = ranked_lines(rows, p, block, *workers.rbegin());
    if (ranked.empty()) continue;
    out += fmt::format("\n{}{}\n", p.title,
                       p.block_param.empty() ? "" : fmt::format(", {}={}", p.block_param, block));
    std::string head = fmt::format("{:>4}  {:<14} {:<8}", "rank", p.key_param, "backend");
    for (int w : workers) head += fmt::format(" {:>9}", fmt::format("{} w", w));
    for (const auto& e : p.extras) head += fmt::format(" {:>10}", e.header);
    out += head + "\n";
    int n = 0;
    for (const auto& [key, line] : ranked) out += line_text(++n, key, line, p, workers);
  }
  return out;
}

Format format_named(const std::string& name) {
  if (name == "duration") return duration;
  if (name == "fixed2") return fixed2;
  if (name == "percent") return [](double v) { return fmt::format("{:.0f}%", v * 100); };
  if (name == "integer") return [](double v) { return fmt::format("{:.0f}", v); };
  return si;
}

// Each workload that declared a ranking table, in the run's order.
std::vector<Pivot> pivots(const WorkloadRoles& roles) {
  std::vector<Pivot> out;
  for (const auto& [workload, role] : roles.all()) {
    if (!role.sync_table) continue;
    const SyncTable& t = *role.sync_table;
    Pivot p{workload,
            t.title,
            t.key_param,
            t.block_param,
            t.metric,
            t.higher_is_better,
            format_named(t.format),
            {}};
    for (const auto& e : t.extras) p.extras.push_back({e.header, e.metric, format_named(e.format)});
    out.push_back(std::move(p));
  }
  return out;
}

// "futex thread 50.1M (jain 1.00)": a line of a ranking, with the first extra (fairness) where the
// mechanism has it.
std::string ranked_entry(const Key& key, const Line& line, const Pivot& p, int most) {
  const auto it = line.by_workers.find(most);
  std::string text = fmt::format("{} {} {}", key.first, key.second, p.format(*it->second));
  if (!p.extras.empty() && p.extras.front().metric == "jain" && line.at_most != nullptr) {
    if (const auto jain = line.at_most->metric("jain"))
      text += fmt::format(" (jain {:.2f})", *jain);
  }
  return text;
}

}  // namespace sync_table
}  // namespace

std::string format_sync_comparison(const std::vector<SummaryRow>& rows,
                                   const WorkloadRoles& roles) {
  using namespace sync_table;
  std::string out;
  for (const auto& p : pivots(roles)) out += pivot_table(rows, p);
  if (!out.empty()) {
    out +=
        "  n/a: cannot work on that backend (the reason is in the rows); '-': not run or failed\n";
  }
  return out;
}

std::vector<std::string> sync_rankings(const std::vector<SummaryRow>& rows,
                                       const WorkloadRoles& roles) {
  using namespace sync_table;
  std::vector<std::string> out;
  for (const auto& p : pivots(roles)) {
    const auto [blocks, workers] = extent_of(rows, p, true);
    if (workers.empty()) continue;
    const int most = *workers.rbegin();
    for (const auto& block : blocks) {
      std::vector<std::string> entries;
      for (const auto& [key, line] : ranked_lines(rows, p, block, most)) {
        const auto it = line.by_workers.find(most);
        if (it != line.by_workers.end() && it->second)
          entries.push_back(ranked_entry(key, line, p, most));
      }
      if (entries.empty()) continue;
      out.push_back(fmt::format(
          "{}{}, {} workers, {} ({} first): {}", p.workload,
          p.block_param.empty() ? "" : fmt::format(" {}={}", p.block_param, block), most, p.metric,
          p.higher_is_better ? "highest" : "lowest", fmt::join(entries, ", ")));
    }
  }
  return out;
}

}  // namespace parbench
