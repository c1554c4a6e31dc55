#include "summary.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "csv_writer.hpp"

namespace parbench {
namespace {

using CaseKey = std::tuple<std::string, std::string, int, std::string,
                           std::vector<std::pair<std::string, std::string>>, std::string>;

CaseKey key_of(const Row& r) { return {r.workload, r.backend, r.workers, r.pin, r.params, r.host}; }

std::optional<double> median_of(std::vector<double> v) {
  auto s = summarize(std::move(v));
  return s ? std::optional(s->median) : std::nullopt;
}

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
  std::vector<double> wall, user, sys, vol, invol, startup, skew, on_cpu;
  std::map<std::string, std::vector<double>> metrics;
  // The kernel's and the counters' figures, collected by column: a column some repetitions lack
  // (a counter this machine does not have) stays empty rather than a median of fewer values.
  std::map<std::string, std::vector<double>> profile;
  std::size_t ok_reps = 0;
  const auto add_profile = [&](const char* name, const auto& v) {
    if (v) profile[name].push_back(static_cast<double>(*v));
  };
  const int machine_cpus = rule.cpus;
  for (const Row* r : rows) {
    if (r->unsupported()) {
      s.unsupported = true;
      s.error = r->error;
      continue;
    }
    if (!r->ok()) {
      if (s.errors++ == 0) s.error = r->error;
      continue;
    }
    ++s.reps;
    if (r->wall_ns) wall.push_back(static_cast<double>(*r->wall_ns));
    if (r->cpu_user_ns) user.push_back(static_cast<double>(*r->cpu_user_ns));
    if (r->cpu_sys_ns) sys.push_back(static_cast<double>(*r->cpu_sys_ns));
    if (r->vol_ctx_switches) vol.push_back(static_cast<double>(*r->vol_ctx_switches));
    if (r->invol_ctx_switches) invol.push_back(static_cast<double>(*r->invol_ctx_switches));
    if (r->startup_ns) startup.push_back(static_cast<double>(*r->startup_ns));
    if (r->start_skew_ns) skew.push_back(static_cast<double>(*r->start_skew_ns));
    ++ok_reps;
    add_profile("minor_faults", r->minor_faults);
    add_profile("major_faults", r->major_faults);
    add_profile("cpu_migrations", r->cpu_migrations);
    add_profile("max_rss_kb", r->max_rss_kb);
    add_profile("steal_pct", r->steal_pct);
    add_profile("other_load_pct", r->other_load_pct);
    add_profile("cycles", r->cycles);
    add_profile("instructions", r->instructions);
    add_profile("cache_misses", r->cache_misses);
    add_profile("branch_misses", r->branch_misses);
    if (machine_cpus > 0 && r->wall_ns && *r->wall_ns > 0 && r->cpu_user_ns && r->cpu_sys_ns) {
      on_cpu.push_back(static_cast<double>(*r->cpu_user_ns + *r->cpu_sys_ns) /
                       (static_cast<double>(*r->wall_ns) * usable_cpus(*r, machine_cpus)));
    }
    if (r->work_units) s.work_units = r->work_units;
    for (const auto& [name, v] : r->metrics) metrics[name].push_back(v);
  }
  s.wall_ns = summarize(wall);
  s.cpu_user_ns = median_of(user);
  s.cpu_sys_ns = median_of(sys);
  s.vol_ctx_switches = median_of(vol);
  s.invol_ctx_switches = median_of(invol);
  s.startup_ns = median_of(startup);
  s.start_skew_ns = median_of(skew);
  s.on_cpu = median_of(on_cpu);
  const auto profile_median = [&](const char* name) -> std::optional<double> {
    const auto it = profile.find(name);
    if (it == profile.end() || it->second.size() != ok_reps) return std::nullopt;
    return median_of(it->second);
  };
  s.minor_faults = profile_median("minor_faults");
  s.major_faults = profile_median("major_faults");
  s.cpu_migrations = profile_median("cpu_migrations");
  s.max_rss_kb = profile_median("max_rss_kb");
  s.steal_pct = profile_median("steal_pct");
  s.other_load_pct = profile_median("other_load_pct");
  s.cycles = profile_median("cycles");
  s.instructions = profile_median("instructions");
  s.cache_misses = profile_median("cache_misses");
  s.branch_misses = profile_median("branch_misses");
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
bool same_first_host(const std::string& base, const std::string& host) {
  return base == host ||
         (host.size() > base.size() && host.starts_with(base) && host[base.size()] == '+');
}

void add_speedup(std::vector<SummaryRow>& rows) {
  for (auto& s : rows) {
    if (!s.work_per_s) continue;
    const auto base = std::find_if(rows.begin(), rows.end(), [&](const SummaryRow& b) {
      return b.workers == 1 && b.workload == s.workload && b.backend == s.backend &&
             b.pin == s.pin && same_first_host(b.host, s.host) && b.params == s.params &&
             b.work_per_s;
    });
    if (base == rows.end()) continue;  // no 1-worker case in this report: speedup stays empty
    s.speedup = *s.work_per_s / *base->work_per_s;
    s.efficiency = *s.speedup / s.workers;
  }
}

}  // namespace

nlohmann::json noise_rule_json(const NoiseRule& rule) {
  return {{"max_steal_pct", rule.max_steal_pct},
          {"max_other_load_pct", rule.max_other_load_pct},
          {"min_on_cpu", rule.min_on_cpu},
          {"cpu_bound", rule.cpu_bound},
          {"serialized_backends", rule.serialized_backends},
          {"cpus", rule.cpus}};
}

NoiseRule noise_rule_from_meta(const nlohmann::json& meta) {
  return noise_rule_from_json(
      meta.contains("run") ? meta["run"].value("noise_rule", nlohmann::json()) : nlohmann::json());
}

NoiseRule noise_rule_from_json(const nlohmann::json& j) {
  NoiseRule rule;
  if (!j.is_object()) return rule;
  rule.max_steal_pct = j.value("max_steal_pct", rule.max_steal_pct);
  rule.max_other_load_pct = j.value("max_other_load_pct", rule.max_other_load_pct);
  rule.min_on_cpu = j.value("min_on_cpu", rule.min_on_cpu);
  rule.cpu_bound = j.value("cpu_bound", rule.cpu_bound);
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
  const auto sort_key = [&](const CaseKey& k) {
    return std::tie(workload_rank[std::get<0>(k)], std::get<4>(k), std::get<5>(k), std::get<1>(k),
                    std::get<2>(k), std::get<3>(k));
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const CaseKey& a, const CaseKey& b) { return sort_key(a) < sort_key(b); });
  std::vector<SummaryRow> out;
  for (const auto& key : order) out.push_back(summarize_case(by_case[key], schema, noise));
  add_speedup(out);
  return out;
}

std::vector<std::string> summary_header(const ReportSchema& schema) {
  std::vector<std::string> h = {"workload", "backend", "workers", "pin", "host"};
  h.insert(h.end(), schema.params.begin(), schema.params.end());
  h.insert(h.end(), {"reps",
                     "errors",
                     "status",
                     "error",
                     "median_wall_ns",
                     "min_wall_ns",
                     "max_wall_ns",
                     "mean_wall_ns",
                     "stddev_wall_ns",
                     "cv",
                     "p95_wall_ns",
                     "ci95_lo_wall_ns",
                     "ci95_hi_wall_ns",
                     "median_cpu_user_ns",
                     "median_cpu_sys_ns",
                     "median_vol_ctx_switches",
                     "median_invol_ctx_switches",
                     "median_minor_faults",
                     "median_major_faults",
                     "median_cpu_migrations",
                     "median_max_rss_kb",
                     "median_steal_pct",
                     "median_other_load_pct",
                     "median_cycles",
                     "median_instructions",
                     "median_cache_misses",
                     "median_branch_misses",
                     "ipc",
                     "on_cpu",
                     "noisy",
                     "median_startup_ns",
                     "median_start_skew_ns",
                     "work_units",
                     "work_per_s",
                     "speedup",
                     "efficiency"});
  for (const auto& m : schema.metrics) h.push_back("median_" + m);
  return h;
}

std::vector<std::string> summary_cells(const SummaryRow& s, const ReportSchema& schema) {
  std::vector<std::string> c = {s.workload, s.backend, std::to_string(s.workers), s.pin, s.host};
  for (const auto& name : schema.params) {
    const auto it =
        std::find_if(s.params.begin(), s.params.end(), [&](auto& p) { return p.first == name; });
    c.push_back(it != s.params.end() ? it->second : "");
  }
  const auto& w = s.wall_ns;
  auto wall = [&](double Summary::*field) {
    return w ? format_number(std::round((*w).*field)) : "";
  };
  c.insert(c.end(), {std::to_string(s.reps),
                     std::to_string(s.errors),
                     s.status(),
                     s.error,
                     wall(&Summary::median),
                     wall(&Summary::min),
                     wall(&Summary::max),
                     wall(&Summary::mean),
                     wall(&Summary::stddev),
                     w ? format_number(w->cv) : "",
                     wall(&Summary::p95),
                     w && w->ci95 ? format_number(w->ci95->lo) : "",
                     w && w->ci95 ? format_number(w->ci95->hi) : "",
                     format_optional(s.cpu_user_ns),
                     format_optional(s.cpu_sys_ns),
                     format_optional(s.vol_ctx_switches),
                     format_optional(s.invol_ctx_switches),
                     format_optional(s.minor_faults),
                     format_optional(s.major_faults),
                     format_optional(s.cpu_migrations),
                     format_optional(s.max_rss_kb),
                     format_optional(s.steal_pct),
                     format_optional(s.other_load_pct),
                     format_optional(s.cycles),
                     format_optional(s.instructions),
                     format_optional(s.cache_misses),
                     format_optional(s.branch_misses),
                     format_optional(s.ipc),
                     format_optional(s.on_cpu),
                     s.noisy,
                     format_optional(s.startup_ns),
                     format_optional(s.start_skew_ns),
                     format_optional(s.work_units),
                     format_optional(s.work_per_s),
                     format_optional(s.speedup),
                     format_optional(s.efficiency)});
  for (const auto& name : schema.metrics) {
    const auto it = std::find_if(s.metric_medians.begin(), s.metric_medians.end(),
                                 [&](auto& m) { return m.first == name; });
    c.push_back(it != s.metric_medians.end() ? format_optional(it->second) : "");
  }
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
