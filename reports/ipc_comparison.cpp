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

}  // namespace

IpcRanking rank_ipc_channels(const std::vector<SummaryRow>& rows, const WorkloadRoles& roles) {
  const auto table = [&](const SummaryRow& r) -> const std::string& {
    return roles.of(r.workload).ipc_table;
  };
  IpcRanking out;
  // The sizes compared: the smallest round trip and the largest stream that any channel ran.
  long long small = std::numeric_limits<long long>::max(), large = 0;
  for (const auto& r : rows) {
    if (!r.ok()) continue;
    if (table(r) == "round_trip") small = std::min(small, size_of(r));
    if (table(r) == "stream") large = std::max(large, size_of(r));
  }
  if (small != std::numeric_limits<long long>::max()) out.rtt_size = small;
  out.stream_size = large;
  using Key = std::pair<std::string, std::string>;  // channel (with wait mode), backend
  std::map<Key, IpcLine> lines;
  std::map<Key, bool> tried;  // some case of this channel and backend was not unsupported
  for (const auto& r : rows) {
    if (table(r).empty()) continue;
    std::string channel = r.param("channel") + (r.param("wait") == "spin" ? " (spin)" : "");
    // A windowed stream (osu_bw's method) is another line than the plain one.
    if (const std::string w = r.param("window"); !w.empty() && w != "0")
      channel += fmt::format(" (window {})", w);
    IpcLine& line = lines[{channel, r.backend}];
    line.channel = channel;
    line.backend = r.backend;
    tried[{channel, r.backend}] = tried[{channel, r.backend}] || !r.unsupported;
    if (!r.ok()) continue;
    if (table(r) == "round_trip" && size_of(r) == small) {
      (r.param("placement") == "same_core" ? line.same_core_rtt : line.cross_core_rtt) =
          r.metric("rtt_p50_ns");
    }
    if (table(r) == "stream" && size_of(r) == large) line.throughput = r.metric("mb_per_s");
  }
  // A channel that cannot run on a backend at all (pipe on mpi, mpi on process) is no line: the
  // summary table says why.
  for (auto& [key, line] : lines) {
    if (tried[key]) out.lines.push_back(std::move(line));
  }
  const auto rank = [](const IpcLine& l) {
    return l.cross_core_rtt.value_or(
        l.same_core_rtt.value_or(std::numeric_limits<double>::infinity()));
  };
  std::stable_sort(out.lines.begin(), out.lines.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  return out;
}

std::string format_ipc_comparison(const std::vector<SummaryRow>& rows, const WorkloadRoles& roles) {
  const IpcRanking ranking = rank_ipc_channels(rows, roles);
  if (ranking.lines.empty()) return "";
  const long long small = ranking.rtt_size.value_or(0);
  const long long large = ranking.stream_size;
  const auto cell = [](const std::optional<double>& ns) {
    return ns ? format_duration(*ns) : std::string("-");
  };
  const bool any_rtt = ranking.rtt_size.has_value();
  std::string what;
  if (any_rtt) what = fmt::format("round trip p50 of a {}-byte message", small);
  if (large > 0)
    what += fmt::format("{}throughput of {}-byte messages", what.empty() ? "" : ", ", large);
  std::string out =
      fmt::format("\nIPC comparison: {}\n", what.empty() ? "no case succeeded" : what);
  out += fmt::format("{:>4}  {:<20} {:<8} {:>12} {:>13} {:>12}\n", "rank", "channel", "backend",
                     "rtt same core", "rtt cross core", "MB/s");
  int n = 0;
  for (const auto& l : ranking.lines) {
    out += fmt::format(
        "{:>4}  {:<20} {:<8} {} {} {}\n", ++n, l.channel, l.backend,
        pad_to(cell(l.same_core_rtt), 12, false), pad_to(cell(l.cross_core_rtt), 13, false),
        pad_to(l.throughput ? fmt::format("{:.0f}", *l.throughput) : "-", 12, false));
  }
  out +=
      "  '-': not run, unsupported or failed (see the table above); channels unsupported on a "
      "backend in every case are left out\n";
  return out;
}

}  // namespace parbench
