#include "run_files.hpp"

#include <fmt/core.h>

#include <exception>

#include "csv_writer.hpp"
#include "interrupt.hpp"
#include "of_limit.hpp"
#include "report_files.hpp"
#include "text_utils.hpp"

namespace parbench {
namespace {

// Room to spare after the first meta.json (spaces, which JSON ignores), so that a full disk can
// still take the final version in place, saying why the run ended.
constexpr std::size_t kMetaRoom = 4096;

std::string now() { return local_timestamp("%Y-%m-%dT%H:%M:%S%z"); }

}  // namespace

RunFiles::RunFiles(std::string prefix, ReportMeta meta, ReportSchema schema)
    : prefix_(std::move(prefix)), meta_(std::move(meta)), schema_(std::move(schema)) {
  meta_.run->started_at = now();
  write_file_atomically(meta_path(),
                        json_text(meta_.to_json()) + std::string(kMetaRoom, ' ') + "\n");
  rows_.emplace(prefix_ + ".csv", schema_);
  timeline_.emplace(prefix_ + ".timeline.csv", schema_);
}

std::vector<SummaryRow> RunFiles::finish(const std::string& ended_by, int signal) {
  RunMeta& run = *meta_.run;
  auto summary = summarize_run(rows_->rows(), schema_, meta_);
  std::exception_ptr summary_failed;
  try {
    write_file_atomically(prefix_ + ".summary.csv", summary_csv(summary, schema_));
  } catch (const ReportWriteError& e) {
    summary_failed = std::current_exception();
    run.summary_error = e.what();
  }
  run.finished_at = now();
  if (signal != 0) {
    run.interrupted_by_signal = signal;
    run.ended_by = fmt::format("interrupted by {}", signal_name(signal));
  }
  if (!ended_by.empty()) run.ended_by = ended_by;
  run.complete = run.ended_by.empty() && !summary_failed;
  write_meta();
  if (summary_failed) std::rethrow_exception(summary_failed);
  return summary;
}

void RunFiles::write_meta() {
  const std::string text = json_text(meta_.to_json());
  try {
    write_file_atomically(meta_path(), text);
  } catch (const ReportWriteError&) {
    overwrite_in_place(meta_path(), text);  // the disk is full: use the room left
  }
}

}  // namespace parbench
