#include "merge.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "bad_input.hpp"
#include "csv_reader.hpp"
#include "csv_writer.hpp"
#include "report_files.hpp"
#include "rows_csv.hpp"
#include "unique_list.hpp"

namespace parbench {
namespace {

namespace fs = std::filesystem;

}  // namespace

MergedReport merge_reports(const std::vector<MergeInput>& inputs) {
  if (inputs.size() < 2)
    throw BadInput(fmt::format("merge: {} report given; expected two or more", inputs.size()));
  MergedReport out;
  std::map<std::string, std::string> host_source;  // host -> the input it came from
  std::set<std::string> prefixes;
  for (const auto& input : inputs) {
    const std::string prefix = report_prefix(input.prefix);
    if (!prefixes.insert(fs::weakly_canonical(prefix + ".csv").string()).second)
      throw BadInput(fmt::format("merge: {}.csv is given twice", prefix));
    ReportSchema schema;
    std::vector<Row> rows = read_report_rows(prefix + ".csv", &schema, "merge");
    const ReportMeta meta = read_meta(prefix, "merge");
    const std::string meta_host = meta.hostname();

    std::vector<std::string> hosts;  // this input's hosts, in first-seen order
    for (auto& r : rows) {
      if (!input.label.empty()) {
        r.host = input.label;
      } else if (r.host.empty()) {
        r.host = meta_host;
      }
      if (r.host.empty()) {
        throw BadInput(fmt::format(
            "merge: {}.csv has rows without a host and no meta.json hostname to take it from; "
            "name its machine with --label",
            prefix));
      }
      if (std::find(hosts.begin(), hosts.end(), r.host) == hosts.end()) hosts.push_back(r.host);
    }
    for (const auto& h : hosts) {
      const auto [it, fresh] = host_source.try_emplace(h, prefix);
      if (!fresh) {
        throw BadInput(fmt::format(
            "merge: host '{}' is in both {}.csv and {}.csv; the host tells a merged report's "
            "cases apart, so give each input a distinct --label (one per input, in order)",
            h, it->second, prefix));
      }
    }

    auto summary = summarize_rows(rows, schema, meta.run ? meta.run->noise_rule : NoiseRule{});
    out.summary.insert(out.summary.end(), std::make_move_iterator(summary.begin()),
                       std::make_move_iterator(summary.end()));
    add_unique(out.schema.params, schema.params);
    add_unique(out.schema.metrics, schema.metrics);
    out.rows.insert(out.rows.end(), std::make_move_iterator(rows.begin()),
                    std::make_move_iterator(rows.end()));

    out.meta.machines.push_back({prefix + ".csv", fmt::format("{}", fmt::join(hosts, ", ")),
                                 input.label, meta.machine, meta.run});
  }
  return out;
}

void write_merged(const std::string& prefix_in, const MergedReport& merged) {
  const std::string prefix = report_prefix(prefix_in);
  // Every file's text is made before the first is written: nothing can fail half-way but the disk.
  std::string rows = csv_line(rows_header(merged.schema));
  for (const auto& r : merged.rows) rows += csv_line(row_cells(r, merged.schema));
  const std::string summary = summary_csv(merged.summary, merged.schema);
  const std::string meta = json_text(merged.meta.to_json());
  write_file_atomically(prefix + ".csv", rows);
  write_file_atomically(prefix + ".summary.csv", summary);
  write_file_atomically(prefix + ".meta.json", meta);
}

}  // namespace parbench
