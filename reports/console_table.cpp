#include "console_table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace parbench {
namespace {

// Columns padded to their widest cell; the first `left` columns and the last one (status text)
// left-aligned, numbers right.
std::string render(const std::vector<std::vector<std::string>>& table, std::size_t left) {
  std::vector<std::size_t> width;
  for (const auto& row : table) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : table) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool left_aligned = i < left || i + 1 == row.size();
      line += left_aligned ? fmt::format("{:<{}}  ", row[i], width[i])
                           : fmt::format("{:>{}}  ", row[i], width[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string ratio(const std::optional<double>& v, const char* suffix) {
  return v ? fmt::format("{:.2f}{}", *v, suffix) : "-";
}

std::string metric_cell(const std::string& name, const std::optional<double>& v) {
  if (!v) return "-";
  if (name.ends_with("_ns")) return format_duration(*v);
  return fmt::format("{:.4g}", *v);
}

}  // namespace

std::string format_duration(double ns) {
  const double a = std::fabs(ns);
  if (a < 1e3) return fmt::format("{:.0f} ns", ns);
  if (a < 1e6) return fmt::format("{:.3g} us", ns / 1e3);
  if (a < 1e9) return fmt::format("{:.3g} ms", ns / 1e6);
  return fmt::format("{:.3g} s", ns / 1e9);
}

std::string format_summary_table(const std::vector<SummaryRow>& rows) {
  std::vector<std::string> workloads;
  for (const auto& r : rows) {
    if (std::find(workloads.begin(), workloads.end(), r.workload) == workloads.end())
      workloads.push_back(r.workload);
  }
  std::string out;
  for (const auto& workload : workloads) {
    std::vector<const SummaryRow*> mine;
    for (const auto& r : rows) {
      if (r.workload == workload) mine.push_back(&r);
    }
    // Show only what tells the cases apart; a column with one value everywhere is noise.
    const SummaryRow& first = *mine.front();
    std::vector<std::string> params;
    for (const auto& [name, value] : first.params) {
      std::set<std::string> seen;
      for (const auto* r : mine) {
        for (const auto& [n, v] : r->params) {
          if (n == name) seen.insert(v);
        }
      }
      if (seen.size() > 1) params.push_back(name);
    }
    const bool show_pin =
        std::any_of(mine.begin(), mine.end(), [](auto* r) { return r->pin != "none"; });
    const bool show_speedup =
        std::any_of(mine.begin(), mine.end(), [](auto* r) { return r->speedup.has_value(); });
    std::vector<std::string>
        metrics;  // in the order the rows have them; an unsupported row has none
    for (const auto* r : mine) {
      for (const auto& [name, v] : r->metric_medians) {
        if (std::find(metrics.begin(), metrics.end(), name) == metrics.end())
          metrics.push_back(name);
      }
    }
    // An mpi run across machines, or a merged report: the host tells the cases apart.
    const bool show_host =
        std::any_of(mine.begin(), mine.end(), [&](auto* r) { return r->host != first.host; });
    std::vector<std::string> head = {"backend", "workers"};
    if (show_host) head.emplace_back("host");
    if (show_pin) head.emplace_back("pin");
    head.insert(head.end(), params.begin(), params.end());
    const std::size_t left = head.size();
    head.insert(head.end(), {"reps", "median", "cv"});
    if (show_speedup) head.insert(head.end(), {"speedup", "efficiency"});
    head.insert(head.end(), metrics.begin(), metrics.end());
    head.emplace_back("status");

    std::vector<std::vector<std::string>> table{head};
    for (const auto* r : mine) {
      std::vector<std::string> line = {r->backend, std::to_string(r->workers)};
      if (show_host) line.push_back(r->host);
      if (show_pin) line.push_back(r->pin);
      for (const auto& name : params) {
        for (const auto& [n, v] : r->params) {
          if (n == name) line.push_back(v);
        }
      }
      line.push_back(std::to_string(r->reps));
      line.push_back(r->wall_ns ? format_duration(r->wall_ns->median) : "-");
      line.push_back(r->wall_ns ? fmt::format("{:.1f}%", r->wall_ns->cv * 100) : "-");
      if (show_speedup) {
        line.push_back(ratio(r->speedup, "x"));
        line.push_back(r->efficiency ? fmt::format("{:.0f}%", *r->efficiency * 100) : "-");
      }
      for (const auto& name : metrics) {
        const auto it = std::find_if(r->metric_medians.begin(), r->metric_medians.end(),
                                     [&](auto& m) { return m.first == name; });
        line.push_back(it != r->metric_medians.end() ? metric_cell(name, it->second) : "-");
      }
      line.push_back(r->unsupported     ? "unsupported: " + r->error
                     : !r->ok()         ? "ERROR: " + r->error
                     : r->noisy.empty() ? "ok"
                                        : "ok, noisy: " + r->noisy);
      table.push_back(std::move(line));
    }
    out += fmt::format("\n{}\n", workload) + render(table, left);
  }
  return out;
}

}  // namespace parbench
