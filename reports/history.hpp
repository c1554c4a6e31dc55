#pragma once
// A history of runs in SQLite (reports/history.sqlite by default): every run added with its rows,
// summary and meta.json, keyed by commit and time, and one point per case and metric (the case's
// median over its repetitions) from which `parbench history check` finds the runs where a series
// stepped (change_points.hpp), and `compare --history` learns how far a case moves between runs
// (run_noise.hpp).
//
// The file is marked as parbench's (PRAGMA application_id) and versioned (PRAGMA user_version);
// an older schema is migrated forward in one transaction, a newer, foreign or corrupt file is
// refused with BadInput and left as it was. The file is in WAL mode: readers (list, show, check,
// report, noise, compare --history) open it read-only and never wait for a writer; writers take it
// with BEGIN IMMEDIATE and wait up to 30 s for another writer, so concurrent `history add`s all
// land. A run is read, checked and turned into points before the database is opened, so the write
// lock is held only for the inserts, and a bad report leaves no database behind.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columns.hpp"

namespace parbench {

inline constexpr int kHistorySchemaVersion = 1;

// Three series stored for every case beside its figures that are the machine's, not the code's:
// - machine_capacity and machine_throughput: the probe before each repetition (busy_work.hpp), a
//   latency-bound and a throughput-bound loop, which see a vCPU the hypervisor slows (the second
//   also a core whose execution units something else shares) but not, in 2 ms, a process that
//   competes for a CPU (the scheduler lets the probe run first: 1.94 of 2 CPUs beside a busy
//   loop on one of them);
// - cpus_left: the CPUs the case occupies (its workers, or its distinct pinned CPUs, at most the
//   online ones), less what everything else took over its repetitions (median other_load_pct of
//   the online CPUs): 1 of 2 beside that busy loop.
inline constexpr const char* kCapacityMetric = "machine_capacity";
inline constexpr const char* kThroughputMetric = "machine_throughput";
inline constexpr const char* kCpusLeftMetric = "cpus_left";
bool is_machine_metric(const std::string& metric);

struct HistoryRun {
  std::int64_t id = 0;
  std::string commit, branch, added_at, started_at, host, fingerprint, source;
  std::int64_t points = 0;  // case-metric points it holds
};

struct SeriesPoint {
  std::int64_t run_id = 0;
  std::string commit;
  std::string added_at;
  double value = 0;
  double cv = 0;  // the case's coefficient of variation over its repetitions in that run
};

// One case's metric across runs, oldest first. The key leaves out the parameters ignored, and
// names the machine (its fingerprint) when the history holds runs of several.
struct Series {
  std::string key;  // "cpu_sum thread w=2 pin=none n=1e6"
  std::string metric;
  Direction direction = Direction::LowerIsBetter;
  std::vector<SeriesPoint> points;
};

struct RunToAdd {
  std::string prefix;  // the report: PREFIX.csv, .meta.json
  std::string commit;  // "" takes the build's git revision from meta.json
  std::string branch;
};

// One stored figure of a case.
struct RunPoint {
  std::string workload, backend, pin, host, params, metric;
  int workers = 0;
  bool higher_is_better = false;
  double value = 0;
  std::int64_t reps = 0;
  double cv = 0;
};

// A run read from its report and checked, ready to store: everything `add` inserts.
struct PreparedRun {
  std::string commit, branch, started_at, host, fingerprint, source, meta_json, rows_csv,
      summary_csv;
  std::vector<RunPoint> points;
};

// Reads and checks the report (its rows, and its meta.json, which must exist: without the machine
// description runs of different machines would share series). Throws BadInput naming the file.
PreparedRun prepare_run(const RunToAdd& run);

// What `add` did: the run's id, and whether it was there already (the same report added before:
// then nothing is stored again, since a copy would look like a perfectly steady series).
struct AddResult {
  std::int64_t id = 0;
  bool already = false;
};

// Which runs a series is made of: one machine's (its fingerprint, "" any), and not the run read
// from `exclude_source` (a report's PREFIX.csv, "" none): the run being judged.
struct SeriesFilter {
  std::string fingerprint;
  std::string exclude_source;
};

class HistoryDb {
 public:
  enum class Mode {
    Read,   // read-only: the file must exist and be a parbench history; nothing is written
    Write,  // created (with its schema) when it does not exist; older schemas migrated
  };
  // Opens `path`. Throws BadInput naming the file and what is wrong with it, or ReportWriteError
  // when a history cannot be created or written (no permission, a full disk).
  HistoryDb(const std::string& path, Mode mode);
  ~HistoryDb();
  HistoryDb(const HistoryDb&) = delete;
  HistoryDb& operator=(const HistoryDb&) = delete;

  // Stores a run (one transaction), unless the same report is stored already. Throws
  // ReportWriteError when the database cannot be written.
  AddResult add(const PreparedRun& run);
  [[nodiscard]] std::vector<HistoryRun> runs() const;
  // Every case's series of every metric, the parameters in `ignore_params` left out of the key
  // (points of one run that then share a key: the first is kept). The key's parameters are sorted
  // by name, as compare.hpp's case key has them.
  [[nodiscard]] std::vector<Series> series(const std::vector<std::string>& ignore_params,
                                           const SeriesFilter& filter = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace parbench
