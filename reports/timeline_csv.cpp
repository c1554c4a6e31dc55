#include "timeline_csv.hpp"

#include "csv_writer.hpp"

namespace parbench {

std::vector<std::string> timeline_header(const ReportSchema& schema) {
  std::vector<std::string> h = {"workload", "backend", "workers", "pin"};
  h.insert(h.end(), schema.params.begin(), schema.params.end());
  h.insert(h.end(), {"rep", "worker", "cpu_at_start", "cpu_at_end", "launch_ns", "ready_ns",
                     "release_ns", "start_ns", "end_ns", "user_ns", "sys_ns", "vol_ctx_switches",
                     "invol_ctx_switches", "minor_faults", "major_faults", "cpu_migrations"});
  return h;
}

TimelineCsvSink::TimelineCsvSink(const std::string& path, ReportSchema schema)
    : schema_(std::move(schema)), writer_(path) {
  writer_.write_row(timeline_header(schema_));
}

void TimelineCsvSink::write(const Row& row, const RunResult& run) {
  for (std::size_t i = 0; i < run.workers.size(); ++i) {
    const WorkerTiming& w = run.workers[i];
    std::vector<std::string> c = {row.workload, row.backend, std::to_string(row.workers), row.pin};
    for (const auto& name : schema_.params) {
      const std::string* v = row.param(name);
      c.push_back(v != nullptr ? *v : "");
    }
    auto cpu = [](int n) { return n >= 0 ? std::to_string(n) : std::string(); };
    c.insert(
        c.end(),
        {std::to_string(row.rep), std::to_string(i), cpu(w.cpu_at_pass), cpu(w.cpu_at_end),
         std::to_string(run.launch_ns), std::to_string(w.ready_ns), std::to_string(run.release_ns),
         std::to_string(w.pass_ns), std::to_string(w.end_ns), std::to_string(w.user_ns),
         std::to_string(w.sys_ns), std::to_string(w.vol_ctx_switches),
         std::to_string(w.invol_ctx_switches), std::to_string(w.minor_faults),
         std::to_string(w.major_faults), format_optional(w.counters[kCpuMigrations])});
    writer_.write_row(c);
  }
}

}  // namespace parbench
