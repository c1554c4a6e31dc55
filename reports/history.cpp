#include "history.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/core.h>

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
// better. machine_capacity is not the code's figure but the machine's (the probe before each
// repetition): `history check` reads it to tell a step of the machine from one of the code.
constexpr std::array<std::pair<const char*, bool>, 4> kRunMetrics = {
    {{"work_per_s", true}, {"wall_ns", false}, {"cpu_ns", false}, {kCapacityMetric, true}}};

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

// The median over a case's successful repetitions of `metric`, as `compare` takes it.
std::optional<double> case_median(const std::vector<Row>& rows, const SummaryRow& s,
                                  const std::string& metric) {
  std::vector<double> values;
  for (const auto& r : rows) {
    if (!r.ok() || r.workload != s.workload || r.backend != s.backend || r.workers != s.workers ||
        r.pin != s.pin || r.host != s.host || r.params != s.params)
      continue;
    if (auto v = metric_value(r, metric)) values.push_back(*v);
  }
  return median_of(std::move(values));
}

}  // namespace

struct HistoryDb::Impl {
  explicit Impl(const std::string& path, int flags) : db(path, flags, kBusyTimeoutMs) {}
  SQLite::Database db;
};

HistoryDb::HistoryDb(const std::string& path, bool create) : path_(path) {
  const bool exists = fs::exists(path);
  if (!exists && !create) {
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
    auto impl = std::make_unique<Impl>(
        path, create ? SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE : SQLite::OPEN_READWRITE);
    // The schema is checked (and made or migrated) under the write lock, so two processes that
    // open a new file at once do not both create it.
    SQLite::Transaction tx(impl->db, SQLite::TransactionBehavior::IMMEDIATE);
    const int app = impl->db.execAndGet("PRAGMA application_id").getInt();
    const int version = impl->db.execAndGet("PRAGMA user_version").getInt();
    const int tables =
        impl->db.execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'table'").getInt();
    if (app != kApplicationId && (app != 0 || tables > 0)) {
      throw BadInput(
          fmt::format("history: {} is a SQLite database of something else, not a parbench history; "
                      "nothing was changed",
                      path));
    }
    if (version > kHistorySchemaVersion) {
      throw BadInput(fmt::format(
          "history: {} has schema version {}, newer than this parbench's {}; use a newer "
          "parbench (nothing was changed)",
          path, version, kHistorySchemaVersion));
    }
    for (int v = version; v < kHistorySchemaVersion; ++v)
      impl->db.exec(migrations()[static_cast<std::size_t>(v)]);
    if (version < kHistorySchemaVersion) {
      impl->db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
      impl->db.exec(fmt::format("PRAGMA user_version = {}", kHistorySchemaVersion));
    }
    tx.commit();
    impl_ = std::move(impl);
  } catch (const SQLite::Exception& e) {
    throw BadInput(
        fmt::format("history: {} is not a readable parbench history ({}); nothing was changed",
                    path, e.what()));
  }
}

HistoryDb::~HistoryDb() = default;

bool is_machine_metric(const std::string& metric) {
  return metric == kCapacityMetric || metric == kCpusLeftMetric;
}

std::int64_t HistoryDb::add(const RunToAdd& run) {
  ReportSchema schema;
  const std::vector<Row> rows = read_report_rows(run.prefix + ".csv", &schema, "history add");
  const ReportMeta meta = read_meta(run.prefix, "history add");
  const auto summary = summarize_run(rows, schema, meta);
  const auto directions = metric_directions(meta);
  const int online_cpus = meta.machine.is_object() && meta.machine.contains("online_cpus") &&
                                  meta.machine["online_cpus"].is_number_integer()
                              ? meta.machine["online_cpus"].get<int>()
                              : 0;
  std::string commit = run.commit;
  if (commit.empty() && meta.machine.is_object())
    commit = meta.machine.value("git_revision", std::string());
  if (commit.empty()) commit = "unknown";
  try {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement insert_run(impl_->db, R"sql(
        INSERT INTO runs(commit_sha, branch, added_at, started_at, host, fingerprint, source,
                         meta_json, rows_csv, summary_csv)
        VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    insert_run.bind(1, commit);
    insert_run.bind(2, run.branch);
    insert_run.bind(3, utc_now_iso8601());
    insert_run.bind(4, meta.run ? meta.run->started_at : std::string());
    insert_run.bind(5, meta.hostname());
    insert_run.bind(6, machine_fingerprint(meta.machine));
    insert_run.bind(7, fs::absolute(run.prefix + ".csv").string());
    insert_run.bind(8, meta.to_json().dump());
    insert_run.bind(9, slurp(run.prefix + ".csv"));
    insert_run.bind(10, summary_csv(summary, schema));
    insert_run.exec();
    const std::int64_t id = impl_->db.getLastInsertRowid();
    SQLite::Statement insert_point(impl_->db, R"sql(
        INSERT INTO points(run_id, workload, backend, workers, pin, host, params, metric,
                           higher_is_better, value, reps, cv)
        VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    auto point = [&](const SummaryRow& s, const std::string& metric, bool higher, double value) {
      insert_point.reset();
      insert_point.bind(1, id);
      insert_point.bind(2, s.workload);
      insert_point.bind(3, s.backend);
      insert_point.bind(4, s.workers);
      insert_point.bind(5, s.pin);
      insert_point.bind(6, s.host);
      insert_point.bind(7, params_text(s.params, {}));
      insert_point.bind(8, metric);
      insert_point.bind(9, higher ? 1 : 0);
      insert_point.bind(10, value);
      insert_point.bind(11, static_cast<std::int64_t>(s.reps));
      insert_point.bind(12, s.wall_ns ? s.wall_ns->cv : 0.0);
      insert_point.exec();
    };
    for (const auto& s : summary) {
      if (!s.ok()) continue;
      // The fastest repetition's rate: the one least disturbed by the machine's neighbours. On a
      // shared VM a vCPU runs at half speed in episodes, which moves a 5-repetition median 2x
      // from one run to the next.
      if (s.work_units && s.wall_ns && s.wall_ns->min > 0)
        point(s, "best_work_per_s", true, *s.work_units / (s.wall_ns->min * 1e-9));
      // The medians `compare` judges (metric_value), so that `compare --history` learns the
      // spread between runs of the very figure it compares.
      for (const auto& [name, higher] : kRunMetrics) {
        if (auto v = case_median(rows, s, name)) point(s, name, higher, *v);
      }
      const auto other_load = case_median(rows, s, "other_load_pct");
      if (other_load && online_cpus > 0) {
        point(s, kCpusLeftMetric, true,
              std::min(cpus_occupied(s, online_cpus),
                       online_cpus * std::clamp(1 - *other_load / 100, 0.0, 1.0)));
      }
      for (const auto& [name, value] : s.metric_medians) {
        if (!value) continue;
        const auto d = directions.find(name);
        point(s, name, d != directions.end() && d->second == Direction::HigherIsBetter, *value);
      }
    }
    tx.commit();
    return id;
  } catch (const SQLite::Exception& e) {
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
