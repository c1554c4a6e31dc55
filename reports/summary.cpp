#include "summary.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "columns.hpp"
#include "csv_writer.hpp"
#include "speedup_stack.hpp"
#include "summary_columns.hpp"

namespace parbench {
namespace {

// Two parameter values: as numbers when both are whole numbers written in digits, else as text.
bool natural_less(const std::string& a, const std::string& b) {
  const auto digits = [](const std::string& s) {
    return !s.empty() && s.size() < 19 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (digits(a) && digits(b)) return std::stoll(a) < std::stoll(b);
  return a < b;
}

using CaseKey = std::tuple<std::string, std::string, int, std::string,
                           std::vector<std::pair<std::string, std::string>>, std::string>;

CaseKey key_of(const Row& r) { return {r.workload, r.backend, r.workers, r.pin, r.params, r.host}; }

// CPUs a case's workers could run on at once: the distinct CPUs they were pinned to, or the
// machine's.
int usable_cpus(const Row& r, int machine_cpus) {
  if (r.cpus.empty()) return std::min(r.workers, machine_cpus);
  std::set<std::string> distinct;
  for (std::size_t start = 0; start <= r.cpus.size();) {
    const auto plus = std::min(r.cpus.find('+', start), r.cpus.size());
    distinct.insert(r.cpus.substr(start, plus - start));
    start = plus + 1;
  }
  return std::min(r.workers, static_cast<int>(distinct.size()));
}

std::string noise_of(const SummaryRow& s, const NoiseRule& rule) {
  std::vector<std::string> why;
  if (s.steal_pct && *s.steal_pct > rule.max_steal_pct)
    why.push_back(fmt::format("steal {:.0f}%", *s.steal_pct));
  if (s.other_load_pct && *s.other_load_pct > rule.max_other_load_pct)
    why.push_back(fmt::format("other load {:.0f}%", *s.other_load_pct));
  if (const auto cv = s.cv(); cv && *cv > rule.max_cv)
    why.push_back(fmt::format("cv {:.0f}%", *cv * 100));
  // Workers that take turns by design (Python threads and the GIL): their low on_cpu is what is
  // measured, not noise.
  const auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  const bool cpu_bound =
      has(rule.cpu_bound, s.workload) && !has(rule.serialized_backends, s.backend);
  if (cpu_bound && s.on_cpu && *s.on_cpu < rule.min_on_cpu)
    why.push_back(fmt::format("on CPU {:.0f}% of wall", *s.on_cpu * 100));
  return fmt::format("{}", fmt::join(why, "; "));
}

// The medians of the measured columns (columns.hpp) over the successful repetitions.
void add_medians(SummaryRow& s, const std::vector<const Row*>& ok) {
  for (const Column& c : measured_columns()) {
    if (c.summary == nullptr) continue;
    std::vector<double> values;
    for (const Row* r : ok) {
      if (const auto v = c.get(*r)) values.push_back(*v);
    }
    // A kernel or counter figure that some repetitions lack (a counter this machine does not
    // have) stays empty rather than a median of fewer values.
    const bool lacking =
        c.aggregate == Column::Aggregate::MedianOfAll && values.size() != ok.size();
    s.*c.summary = lacking ? std::nullopt : median_of(values);
  }
}

// On CPU / (wall x the CPUs the workers could use), per repetition.
std::vector<double> on_cpu_shares(const std::vector<const Row*>& ok, int machine_cpus) {
  std::vector<double> out;
  for (const Row* r : ok) {
    if (machine_cpus > 0 && r->wall_ns && *r->wall_ns > 0 && r->cpu_user_ns && r->cpu_sys_ns) {
      out.push_back(static_cast<double>(*r->cpu_user_ns + *r->cpu_sys_ns) /
                    (static_cast<double>(*r->wall_ns) * usable_cpus(*r, machine_cpus)));
    }
  }
  return out;
}

// What the speedup stack reads from each repetition that has a wall time, work and CPU times.
std::vector<RepTimes> rep_times(const std::vector<const Row*>& ok, int machine_cpus) {
  std::vector<RepTimes> out;
  const auto real = [](const auto& v) -> std::optional<double> {
    if (!v) return std::nullopt;
    return static_cast<double>(*v);
  };
  for (const Row* r : ok) {
    if (!r->wall_ns || !r->work_units || !r->cpu_user_ns || !r->cpu_sys_ns) continue;
    RepTimes t;
    t.wall_ns = static_cast<double>(*r->wall_ns);
    t.work = *r->work_units;
    t.cpu_ns = static_cast<double>(*r->cpu_user_ns + *r->cpu_sys_ns);
    t.skew_ns = real(r->skew_total_ns);
    t.imbalance_ns = real(r->imbalance_total_ns);
    const double steal_ns = machine_cpus * r->steal_pct.value_or(0) / 100 * t.wall_ns;
    if (r->run_delay_total_ns) {
      // The workers' own wait for a CPU (behind other load or each other), plus what the
      // hypervisor stole meanwhile, which the guest's task clock counts as neither.
      t.others_ns = static_cast<double>(*r->run_delay_total_ns) + steal_ns;
    } else if (machine_cpus > 0 && (r->other_load_pct || r->steal_pct)) {
      // Rows without it (older reports): the machine's other load, an upper
      // bound clamped to the workers' off-CPU time by the stack.
      t.others_ns = machine_cpus * r->other_load_pct.value_or(0) / 100 * t.wall_ns + steal_ns;
    }
    out.push_back(t);
  }
  return out;
}

SummaryRow summarize_case(const std::vector<const Row*>& rows, const ReportSchema& schema,
                          const NoiseRule& rule) {
  const Row& first = *rows.front();
  SummaryRow s;
  s.workload = first.workload;
  s.backend = first.backend;
  s.pin = first.pin;
  s.host = first.host;
  s.workers = first.workers;
  s.params = first.params;
  std::vector<const Row*> ok;
  for (const Row* r : rows) {
    if (r->unsupported()) {
      s.unsupported = true;
      s.error = r->error;
    } else if (!r->ok()) {
      if (s.errors++ == 0) s.error = r->error;
    } else {
      ok.push_back(r);
    }
  }
  s.reps = ok.size();
  std::vector<double> wall;
  std::map<std::string, std::vector<double>> metrics;
  for (const Row* r : ok) {
    if (r->wall_ns) wall.push_back(static_cast<double>(*r->wall_ns));
    if (r->work_units) s.work_units = r->work_units;
    for (const auto& [name, v] : r->metrics) metrics[name].push_back(v);
  }
  s.wall_ns = summarize(wall);
  s.rep_times = rep_times(ok, rule.cpus);
  add_medians(s, ok);
  s.on_cpu = median_of(on_cpu_shares(ok, rule.cpus));
  if (s.cycles && s.instructions && *s.cycles > 0) s.ipc = *s.instructions / *s.cycles;
  s.noisy = noise_of(s, rule);
  if (s.wall_ns && s.work_units && s.wall_ns->median > 0) {
    s.work_per_s = *s.work_units / (s.wall_ns->median * 1e-9);
  }
  for (const auto& name : schema.metrics) {
    const auto it = metrics.find(name);
    if (it != metrics.end()) s.metric_medians.emplace_back(name, median_of(it->second));
  }
  return s;
}

// The 1-worker baseline ran on the case's host, or on its first host for an mpi case whose ranks
// spanned hosts ("a" for "a+b").
std::string first_host(const std::string& host) { return host.substr(0, host.find('+')); }

// Speedup against the same case's 1-worker row, found through one index of the cases that differ
// only in worker count (a search of every row per row grew with the square of the report).
void add_speedup(std::vector<SummaryRow>& rows) {
  using Key = std::tuple<std::string, std::string, std::string, std::string,
                         std::vector<std::pair<std::string, std::string>>>;
  struct Counts {
    const SummaryRow* base = nullptr;  // the first 1-worker row with a rate
    bool others = false;               // another worker count with a rate
  };
  const auto key = [](const SummaryRow& r) {
    return Key{r.workload, r.backend, r.pin, first_host(r.host), r.params};
  };
  std::map<Key, Counts> cases;
  for (const auto& r : rows) {
    if (!r.work_per_s) continue;
    auto& c = cases[key(r)];
    if (r.workers == 1 && c.base == nullptr && r.host == first_host(r.host)) c.base = &r;
    if (r.workers != 1) c.others = true;
  }
  for (auto& s : rows) {
    if (!s.work_per_s) continue;
    const auto it = cases.find(key(s));
    // No 1-worker case in this report, or no other worker count (alone, 1.00x says nothing):
    // speedup stays empty.
    if (it == cases.end() || it->second.base == nullptr || !it->second.others) continue;
    s.speedup = *s.work_per_s / *it->second.base->work_per_s;
    s.efficiency = *s.speedup / s.workers;
    add_speedup_stack(s, *it->second.base);
  }
}

}  // namespace

nlohmann::json noise_rule_json(const NoiseRule& rule) {
  return {{"max_steal_pct", rule.max_steal_pct},
          {"max_cv", rule.max_cv},
          {"max_other_load_pct", rule.max_other_load_pct},
          {"min_on_cpu", rule.min_on_cpu},
          {"cpu_bound", rule.cpu_bound},
          {"memory_bound", rule.memory_bound},
          {"serialized_backends", rule.serialized_backends},
          {"cpus", rule.cpus}};
}

NoiseRule noise_rule_from_json(const nlohmann::json& j) {
  NoiseRule rule;
  if (!j.is_object()) return rule;
  rule.max_steal_pct = j.value("max_steal_pct", rule.max_steal_pct);
  rule.max_other_load_pct = j.value("max_other_load_pct", rule.max_other_load_pct);
  rule.max_cv = j.value("max_cv", rule.max_cv);
  rule.min_on_cpu = j.value("min_on_cpu", rule.min_on_cpu);
  rule.cpu_bound = j.value("cpu_bound", rule.cpu_bound);
  rule.memory_bound = j.value("memory_bound", rule.memory_bound);
  rule.serialized_backends = j.value("serialized_backends", rule.serialized_backends);
  rule.cpus = j.value("cpus", rule.cpus);
  return rule;
}

std::vector<SummaryRow> summarize_rows(const std::vector<Row>& rows, const ReportSchema& schema,
                                       const NoiseRule& noise) {
  std::vector<CaseKey> order;
  std::map<CaseKey, std::vector<const Row*>> by_case;
  for (const Row& r : rows) {
    auto [it, added] = by_case.try_emplace(key_of(r));
    if (added) order.push_back(it->first);
    it->second.push_back(&r);
  }
  // Rows arrive interleaved; the summary lists cases grouped: by workload (in run order), then
  // parameters, backend, workers and pinning.
  std::map<std::string, std::size_t> workload_rank;
  for (const auto& key : order) workload_rank.try_emplace(std::get<0>(key), workload_rank.size());
  // Parameter values in their natural order: size=8 before size=64 before size=1048576.
  const auto params_less = [](const auto& a, const auto& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](const auto& x, const auto& y) {
                                          if (x.first != y.first) return x.first < y.first;
                                          return natural_less(x.second, y.second);
                                        });
  };
  const auto less = [&](const CaseKey& a, const CaseKey& b) {
    const auto ra = workload_rank[std::get<0>(a)], rb = workload_rank[std::get<0>(b)];
    if (ra != rb) return ra < rb;
    if (params_less(std::get<4>(a), std::get<4>(b))) return true;
    if (params_less(std::get<4>(b), std::get<4>(a))) return false;
    return std::tie(std::get<5>(a), std::get<1>(a), std::get<2>(a), std::get<3>(a)) <
           std::tie(std::get<5>(b), std::get<1>(b), std::get<2>(b), std::get<3>(b));
  };
  std::stable_sort(order.begin(), order.end(), less);
  std::vector<SummaryRow> out;
  for (const auto& key : order) out.push_back(summarize_case(by_case[key], schema, noise));
  add_speedup(out);
  return out;
}

std::vector<std::string> summary_header(const ReportSchema& schema) {
  std::vector<std::string> h;
  bool params = false;  // the parameters' columns go before the first figure's
  for (const SummaryColumn& c : summary_columns()) {
    if (c.part == SummaryColumn::Part::Figures && !std::exchange(params, true))
      h.insert(h.end(), schema.params.begin(), schema.params.end());
    h.emplace_back(c.name);
  }
  for (const auto& m : schema.metrics) h.push_back("median_" + m);
  return h;
}

std::vector<std::string> summary_cells(const SummaryRow& s, const ReportSchema& schema) {
  std::vector<std::string> c;
  bool params = false;
  for (const SummaryColumn& col : summary_columns()) {
    if (col.part == SummaryColumn::Part::Figures && !std::exchange(params, true)) {
      for (const auto& name : schema.params) c.push_back(s.param(name));
    }
    c.push_back(col.cell(s));
  }
  for (const auto& name : schema.metrics) c.push_back(format_optional(s.metric(name)));
  return c;
}

std::string summary_csv(const std::vector<SummaryRow>& rows, const ReportSchema& schema) {
  std::string out = csv_line(summary_header(schema));
  for (const auto& r : rows) out += csv_line(summary_cells(r, schema));
  return out;
}

std::string SummaryRow::param(const std::string& name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

std::optional<double> SummaryRow::metric(const std::string& name) const {
  for (const auto& [k, v] : metric_medians) {
    if (k == name) return v;
  }
  return std::nullopt;
}

}  // namespace parbench
