#pragma once
// Made-up repetitions shared by the compare tests (test_compare.cpp, test_compare_cli.cpp).
#include <string>
#include <vector>

#include "rows_csv.hpp"

namespace parbench::compare_fixtures {

// Rows of cpu_sum on `backend`, one per wall time in ms.
inline std::vector<Row> reps(const std::string& backend, const std::vector<double>& wall_ms,
                             double work = 1e6, const std::string& extra = "0") {
  std::vector<Row> rows;
  int rep = 0;
  for (double ms : wall_ms) {
    Row r;
    r.workload = "cpu_sum";
    r.backend = backend;
    r.workers = 1;
    r.pin = "none";
    r.params = {{"n", "1000000"}, {"extra_pct", extra}};
    r.rep = ++rep;
    r.wall_ns = static_cast<std::int64_t>(ms * 1e6);
    r.work_units = work;
    r.metrics = {{"p99_ns", ms * 1000}};
    rows.push_back(r);
  }
  return rows;
}

// Ten wall times around `ms`, `step` apart.
inline std::vector<double> around(double ms, double step = 0.1) {
  std::vector<double> v;
  for (int i = 0; i < 10; ++i) v.push_back(ms + step * (i - 5));
  return v;
}

}  // namespace parbench::compare_fixtures
