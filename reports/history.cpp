#include "history.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/core.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "bad_input.hpp"
#include "compare.hpp"
#include "csv_writer.hpp"
#include "of_limit.hpp"
#include "report_files.hpp"
#include "report_meta.hpp"
#include "rows_csv.hpp"
#include "stats.hpp"
#include "summary.hpp"
#include "text_utils.hpp"

namespace parbench {
namespace {

namespace fs = std::filesystem;

constexpr int kApplicationId = 0x50424853;  // "PBHS"
constexpr int kBusyTimeoutMs = 30'000;

// Each step turns schema version i into i + 1; index 0 creates the first schema.
const std::vector<const char*>& migrations() {
  static const std::vector<const char*> steps = {
      R"sql(
        CREATE TABLE runs(
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          commit_sha TEXT NOT NULL, branch TEXT NOT NULL, added_at TEXT NOT NULL,
          started_at TEXT NOT NULL, host TEXT NOT NULL, fingerprint TEXT NOT NULL,
          source TEXT NOT NULL, meta_json TEXT NOT NULL, rows_csv TEXT NOT NULL,
          summary_csv TEXT NOT NULL);
        CREATE TABLE points(
          run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
          workload TEXT NOT NULL, backend TEXT NOT NULL, workers INTEGER NOT NULL,
          pin TEXT NOT NULL, host TEXT NOT NULL, params TEXT NOT NULL, metric TEXT NOT NULL,
          higher_is_better INTEGER NOT NULL, value REAL NOT NULL, reps INTEGER NOT NULL,
          cv REAL NOT NULL);
        CREATE INDEX points_by_run ON points(run_id);
      )sql",
  };
  return steps;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string params_text(const std::vector<std::pair<std::string, std::string>>& params,
                        const std::vector<std::string>& ignore) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (std::find(ignore.begin(), ignore.end(), k) != ignore.end()) continue;
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, v);
  }
  return out;
}

// "a=1 b=2" back into pairs.
std::vector<std::pair<std::string, std::string>> parse_params(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  for (std::string item; in >> item;) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

// The run-level figures stored for every case besides its workload metrics, and whether higher is
// better. machine_capacity and machine_throughput are not the code's figures but the machine's
// (the probe before each repetition): `history check` reads them to tell a step of the machine
// from one of the code.
constexpr std::array<std::pair<const char*, bool>, 5> kRunMetrics = {{{"work_per_s", true},
                                                                      {"wall_ns", false},
                                                                      {"cpu_ns", false},
                                                                      {kCapacityMetric, true},
                                                                      {kThroughputMetric, true}}};

// The CPUs a case occupies: its distinct pinned CPUs ("0+1", "3+3"), else its workers; at most
// `online`.
double cpus_occupied(const SummaryRow& s, int online) {
  double n = s.workers;
  if (!s.pin.empty() && s.pin != "none") {
    std::set<std::string> distinct;
    std::istringstream cpus(s.pin);
    for (std::string cpu; std::getline(cpus, cpu, '+');) distinct.insert(cpu);
    n = static_cast<double>(distinct.size());
  }
  return std::min(n, static_cast<double>(online));
}

// A case's identity in the rows, as the summary groups them.
using CaseId = std::tuple<std::string, std::string, int, std::string, std::string,
                          std::vector<std::pair<std::string, std::string>>>;
CaseId case_id(const Row& r) { return {r.workload, r.backend, r.workers, r.pin, r.host, r.params}; }
CaseId case_id(const SummaryRow& s) {
  return {s.workload, s.backend, s.workers, s.pin, s.host, s.params};
}

// The median over a case's successful repetitions of `metric`, as `compare` takes it.
std::optional<double> case_median(const std::vector<const Row*>& rows, const std::string& metric) {
  std::vector<double> values;
  for (const Row* r : rows) {
    if (!r->ok()) continue;
    if (auto v = metric_value(*r, metric)) values.push_back(*v);
  }
  return median_of(std::move(values));
}

// Every figure stored for the run's cases.
std::vector<RunPoint> run_points(const std::vector<Row>& rows,
                                 const std::vector<SummaryRow>& summary, const ReportMeta& meta) {
  const auto directions = metric_directions(meta);
  const int online_cpus = meta.machine.is_object() && meta.machine.contains("online_cpus") &&
                                  meta.machine["online_cpus"].is_number_integer()
                              ? meta.machine["online_cpus"].get<int>()
                              : 0;
  // The rows of each case, found once: looking them up per case and metric grew with the square
  // of the report.
  std::map<CaseId, std::vector<const Row*>> by_case;
  for (const auto& r : rows) by_case[case_id(r)].push_back(&r);
  std::vector<RunPoint> out;
  for (const auto& s : summary) {
    if (!s.ok()) continue;
    const std::vector<const Row*>& case_rows = by_case[case_id(s)];
    const auto point = [&](const std::string& metric, bool higher, double value) {
      out.push_back({s.workload, s.backend, s.pin, s.host, params_text(s.params, {}), metric,
                     s.workers, higher, value, static_cast<std::int64_t>(s.reps),
                     s.wall_ns ? s.wall_ns->cv : 0.0});
    };
    // The fastest repetition's rate: the one least disturbed by the machine's neighbours. On a
    // shared VM a vCPU runs at half speed in episodes, which moves a 5-repetition median 2x from
    // one run to the next.
    if (s.work_units && s.wall_ns && s.wall_ns->min > 0)
      point("best_work_per_s", true, *s.work_units / (s.wall_ns->min * 1e-9));
    // The medians `compare` judges (metric_value), so that `compare --history` learns the spread
    // between runs of the very figure it compares.
    for (const auto& [name, higher] : kRunMetrics) {
      if (auto v = case_median(case_rows, name)) point(name, higher, *v);
    }
    const auto other_load = case_median(case_rows, "other_load_pct");
    if (other_load && online_cpus > 0) {
      point(kCpusLeftMetric, true,
            std::min(cpus_occupied(s, online_cpus),
                     online_cpus * std::clamp(1 - *other_load / 100, 0.0, 1.0)));
    }
    for (const auto& [name, value] : s.metric_medians) {
      if (!value) continue;
      const auto d = directions.find(name);
      point(name, d != directions.end() && d->second == Direction::HigherIsBetter, *value);
    }
  }
  return out;
}

// SQLite's errors that mean the file could not be written (exit 3), not that it is not a history.
bool write_failure(const SQLite::Exception& e) {
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return true;
    default:
      return false;
  }
}

// errno-like code for a ReportWriteError from SQLite's.
int write_errno(const SQLite::Exception& e) {
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_FULL:
      return ENOSPC;
    case SQLITE_READONLY:
      return EROFS;
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return EACCES;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return EBUSY;
    default:
      return EIO;
  }
}

}  // namespace

struct HistoryDb::Impl {
  explicit Impl(const std::string& path, int flags) : db(path, flags, kBusyTimeoutMs) {}
  SQLite::Database db;
};

namespace {

// Checks (and in Write mode makes or migrates) the schema, in one transaction: under the write
// lock for a writer, so two processes that open a new file at once do not both create it.
void open_schema(SQLite::Database& db, const std::string& path, HistoryDb::Mode mode) {
  const bool write = mode == HistoryDb::Mode::Write;
  SQLite::Transaction tx(
      db, write ? SQLite::TransactionBehavior::IMMEDIATE : SQLite::TransactionBehavior::DEFERRED);
  const int app = db.execAndGet("PRAGMA application_id").getInt();
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  // Tables, views, indexes, triggers: anything at all makes the file someone's.
  const int objects = db.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
  if (app != kApplicationId && (app != 0 || objects > 0)) {
    throw BadInput(
        fmt::format("history: {} is a SQLite database of something else, not a parbench history; "
                    "nothing was changed",
                    path));
  }
  if (version > kHistorySchemaVersion) {
    throw BadInput(
        fmt::format("history: {} has schema version {}, newer than this parbench's {}; use a newer "
                    "parbench (nothing was changed)",
                    path, version, kHistorySchemaVersion));
  }
  if (!write && version < kHistorySchemaVersion) {
    throw BadInput(fmt::format(
        "history: {} is {}; add runs with 'parbench history add PREFIX --db {}' (nothing was "
        "changed)",
        path, objects == 0 ? "empty, not a parbench history yet" : "of an older schema", path));
  }
  for (int v = version; v < kHistorySchemaVersion; ++v)
    db.exec(migrations()[static_cast<std::size_t>(v)]);
  if (version < kHistorySchemaVersion) {
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
    db.exec(fmt::format("PRAGMA user_version = {}", kHistorySchemaVersion));
  }
  tx.commit();
}

}  // namespace

HistoryDb::HistoryDb(const std::string& path, Mode mode) : path_(path) {
  const bool exists = fs::exists(path);
  if (!exists && mode == Mode::Read) {
    throw BadInput(fmt::format(
        "history: no history at {}; add runs with 'parbench history add PREFIX' (or --db FILE)",
        path));
  }
  if (exists && fs::is_directory(path))
    throw BadInput(fmt::format("history: {} is a directory, not a history database", path));
  if (!exists && fs::path(path).has_parent_path()) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
  }
  try {
    auto impl = std::make_unique<Impl>(path, mode == Mode::Read
                                                 ? SQLite::OPEN_READONLY
                                                 : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    open_schema(impl->db, path, mode);
    // Readers then never wait for a writer (the mode is kept in the file).
    if (mode == Mode::Write) impl->db.exec("PRAGMA journal_mode = WAL");
    impl_ = std::move(impl);
  } catch (const SQLite::Exception& e) {
    if (mode == Mode::Write && write_failure(e)) {
      throw ReportWriteError(write_errno(e), fmt::format("history: {}: {}", path, e.what()));
    }
    throw BadInput(
        fmt::format("history: {} is not a readable parbench history ({}); nothing was changed",
                    path, e.what()));
  }
}

HistoryDb::~HistoryDb() = default;

bool is_machine_metric(const std::string& metric) {
  return metric == kCapacityMetric || metric == kThroughputMetric || metric == kCpusLeftMetric;
}

PreparedRun prepare_run(const RunToAdd& run) {
  if (!fs::exists(run.prefix + ".csv"))
    throw BadInput(fmt::format("history add: no report at {}.csv", run.prefix));
  if (!fs::exists(run.prefix + ".meta.json")) {
    throw BadInput(fmt::format(
        "history add: {}.meta.json is missing; a history keeps each machine's runs apart by the "
        "machine description in it (write reports with 'parbench run', or 'merge' them)",
        run.prefix));
  }
  ReportSchema schema;
  const std::vector<Row> rows = read_report_rows(run.prefix + ".csv", &schema, "history add");
  const ReportMeta meta = read_meta(run.prefix, "history add");
  const auto summary = summarize_run(rows, schema, meta);
  PreparedRun p;
  p.commit = run.commit;
  if (p.commit.empty() && meta.machine.is_object())
    p.commit = meta.machine.value("git_revision", std::string());
  if (p.commit.empty()) p.commit = "unknown";
  if (!valid_utf8(p.commit) || !valid_utf8(run.branch))
    throw BadInput("history add: --commit and --branch must be UTF-8 text");
  p.branch = run.branch;
  p.started_at = meta.run ? meta.run->started_at : std::string();
  p.host = meta.hostname();
  p.fingerprint = machine_fingerprint(meta.machine);
  p.source = fs::absolute(run.prefix + ".csv").string();
  p.meta_json = meta.to_json().dump();
  p.rows_csv = slurp(run.prefix + ".csv");
  p.summary_csv = summary_csv(summary, schema);
  p.points = run_points(rows, summary, meta);
  return p;
}

AddResult HistoryDb::add(const PreparedRun& run) {
  try {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement same(impl_->db, R"sql(
        SELECT id FROM runs WHERE started_at = ? AND host = ? AND fingerprint = ?
                              AND rows_csv = ?)sql");
    same.bind(1, run.started_at);
    same.bind(2, run.host);
    same.bind(3, run.fingerprint);
    same.bind(4, run.rows_csv);
    if (same.executeStep()) return {same.getColumn(0).getInt64(), true};
    SQLite::Statement insert_run(impl_->db, R"sql(
        INSERT INTO runs(commit_sha, branch, added_at, started_at, host, fingerprint, source,
                         meta_json, rows_csv, summary_csv)
        VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    insert_run.bind(1, run.commit);
    insert_run.bind(2, run.branch);
    insert_run.bind(3, utc_now_iso8601());
    insert_run.bind(4, run.started_at);
    insert_run.bind(5, run.host);
    insert_run.bind(6, run.fingerprint);
    insert_run.bind(7, run.source);
    insert_run.bind(8, run.meta_json);
    insert_run.bind(9, run.rows_csv);
    insert_run.bind(10, run.summary_csv);
    insert_run.exec();
    const std::int64_t id = impl_->db.getLastInsertRowid();
    SQLite::Statement insert_point(impl_->db, R"sql(
        INSERT INTO points(run_id, workload, backend, workers, pin, host, params, metric,
                           higher_is_better, value, reps, cv)
        VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    for (const auto& p : run.points) {
      insert_point.reset();
      insert_point.bind(1, id);
      insert_point.bind(2, p.workload);
      insert_point.bind(3, p.backend);
      insert_point.bind(4, p.workers);
      insert_point.bind(5, p.pin);
      insert_point.bind(6, p.host);
      insert_point.bind(7, p.params);
      insert_point.bind(8, p.metric);
      insert_point.bind(9, p.higher_is_better ? 1 : 0);
      insert_point.bind(10, p.value);
      insert_point.bind(11, p.reps);
      insert_point.bind(12, p.cv);
      insert_point.exec();
    }
    tx.commit();
    return {id, false};
  } catch (const SQLite::Exception& e) {
    if (write_failure(e))
      throw ReportWriteError(write_errno(e), fmt::format("history add: {}: {}", path_, e.what()));
    throw BadInput(fmt::format("history add: {}: {}", path_, e.what()));
  }
}

std::vector<HistoryRun> HistoryDb::runs() const {
  std::vector<HistoryRun> out;
  SQLite::Statement q(impl_->db, R"sql(
      SELECT r.id, r.commit_sha, r.branch, r.added_at, r.started_at, r.host, r.fingerprint,
             r.source, (SELECT count(*) FROM points p WHERE p.run_id = r.id)
      FROM runs r ORDER BY r.id)sql");
  while (q.executeStep()) {
    out.push_back(
        {q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
         q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
         q.getColumn(6).getString(), q.getColumn(7).getString(), q.getColumn(8).getInt64()});
  }
  return out;
}

std::vector<Series> HistoryDb::series(const std::vector<std::string>& ignore_params,
                                      const SeriesFilter& filter) const {
  SQLite::Statement q(impl_->db, R"sql(
      SELECT p.run_id, r.commit_sha, r.added_at, p.workload, p.backend, p.workers, p.pin, p.host,
             p.params, p.metric, p.higher_is_better, p.value, p.cv, r.fingerprint
      FROM points p JOIN runs r ON r.id = p.run_id
      WHERE (?1 = '' OR r.fingerprint = ?1) AND (?2 = '' OR r.source <> ?2)
      ORDER BY p.run_id)sql");
  q.bind(1, filter.fingerprint);
  q.bind(2, filter.exclude_source.empty() ? std::string()
                                          : fs::absolute(filter.exclude_source).string());
  // Figures of different machines are not one series (report_meta.hpp: machine_differences):
  // when the history holds several, each case has a series per machine.
  const bool machines =
      filter.fingerprint.empty() &&
      impl_->db.execAndGet("SELECT count(DISTINCT fingerprint) FROM runs").getInt() > 1;
  std::map<std::pair<std::string, std::string>, std::size_t> index;   // (key, metric) -> series
  std::set<std::tuple<std::string, std::string, std::int64_t>> seen;  // one point per run
  std::vector<Series> out;
  while (q.executeStep()) {
    auto pairs = parse_params(q.getColumn(8).getString());
    std::sort(pairs.begin(), pairs.end());  // as compare's case key orders them
    const std::string params = params_text(pairs, ignore_params);
    std::string key =
        fmt::format("{} {} w={} pin={}", q.getColumn(3).getString(), q.getColumn(4).getString(),
                    q.getColumn(5).getInt(), q.getColumn(6).getString());
    if (!params.empty()) key += " " + params;
    if (machines) key += fmt::format(" machine={}", q.getColumn(13).getString());
    const std::string metric = q.getColumn(9).getString();
    const std::int64_t run_id = q.getColumn(0).getInt64();
    if (!seen.emplace(key, metric, run_id).second) continue;
    auto [it, added] = index.try_emplace({key, metric}, out.size());
    if (added) {
      out.push_back(
          {key,
           metric,
           q.getColumn(10).getInt() != 0 ? Direction::HigherIsBetter : Direction::LowerIsBetter,
           {}});
    }
    out[it->second].points.push_back({run_id, q.getColumn(1).getString(),
                                      q.getColumn(2).getString(), q.getColumn(11).getDouble(),
                                      q.getColumn(12).getDouble()});
  }
  return out;
}

}  // namespace parbench
