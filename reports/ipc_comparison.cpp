#include "ipc_comparison.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

#include "console_table.hpp"

namespace parbench {
namespace {

long long size_of(const SummaryRow& r) {
  const std::string s = r.param("size");
  long long v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

struct Line {
  std::optional<double> same_core_rtt, cross_core_rtt, throughput;
  bool tried = false;  // some case of this channel and backend was not unsupported
};

}  // namespace

std::string format_ipc_comparison(const std::vector<SummaryRow>& rows) {
  // The sizes compared: the smallest round trip and the largest stream that any channel ran.
  long long small = std::numeric_limits<long long>::max(), large = 0;
  for (const auto& r : rows) {
    if (!r.ok()) continue;
    if (r.workload == "ipc_pingpong") small = std::min(small, size_of(r));
    if (r.workload == "ipc_stream") large = std::max(large, size_of(r));
  }
  using Key = std::tuple<std::string, std::string>;  // channel (with wait mode), backend
  std::map<Key, Line> lines;
  for (const auto& r : rows) {
    if (r.workload != "ipc_pingpong" && r.workload != "ipc_stream") continue;
    const std::string channel = r.param("channel") + (r.param("wait") == "spin" ? " (spin)" : "");
    Line& line = lines[{channel, r.backend}];
    line.tried = line.tried || !r.unsupported;
    if (!r.ok()) continue;
    if (r.workload == "ipc_pingpong" && size_of(r) == small) {
      (r.param("placement") == "same_core" ? line.same_core_rtt : line.cross_core_rtt) =
          r.metric("rtt_p50_ns");
    }
    if (r.workload == "ipc_stream" && size_of(r) == large) line.throughput = r.metric("mb_per_s");
  }
  // A channel that cannot run on a backend at all (pipe on mpi, mpi on process) is no line: the
  // summary table above says why.
  std::erase_if(lines, [](const auto& kv) { return !kv.second.tried; });
  if (lines.empty()) return "";

  std::vector<std::pair<Key, Line>> ranked(lines.begin(), lines.end());
  const auto rank = [](const Line& l) {
    return l.cross_core_rtt.value_or(
        l.same_core_rtt.value_or(std::numeric_limits<double>::infinity()));
  };
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const auto& a, const auto& b) { return rank(a.second) < rank(b.second); });

  const auto cell = [](const std::optional<double>& ns) {
    return ns ? format_duration(*ns) : std::string("-");
  };
  const bool any_rtt = small != std::numeric_limits<long long>::max();
  std::string what;
  if (any_rtt) what = fmt::format("round trip p50 of a {}-byte message", small);
  if (large > 0)
    what += fmt::format("{}throughput of {}-byte messages", what.empty() ? "" : ", ", large);
  std::string out =
      fmt::format("\nIPC comparison: {}\n", what.empty() ? "no case succeeded" : what);
  out += fmt::format("{:>4}  {:<20} {:<8} {:>12} {:>13} {:>12}\n", "rank", "channel", "backend",
                     "rtt same core", "rtt cross core", "MB/s");
  int n = 0;
  for (const auto& [key, l] : ranked) {
    const auto& [channel, backend] = key;
    out += fmt::format(
        "{:>4}  {:<20} {:<8} {} {} {}\n", ++n, channel, backend,
        pad_to(cell(l.same_core_rtt), 12, false), pad_to(cell(l.cross_core_rtt), 13, false),
        pad_to(l.throughput ? fmt::format("{:.0f}", *l.throughput) : "-", 12, false));
  }
  out +=
      "  '-': not run, unsupported or failed (see the table above); channels unsupported on a "
      "backend in every case are left out\n";
  return out;
}

}  // namespace parbench
