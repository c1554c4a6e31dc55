#include "plan.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <regex.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "bad_input.hpp"
#include "interrupt.hpp"
#include "registry.hpp"
#include "suites.hpp"
#include "text_utils.hpp"
#include "topology.hpp"
#include "unique_list.hpp"

namespace parbench {
namespace {

std::string join(const std::vector<std::string>& v) {
  return fmt::format("{}", fmt::join(v, ", "));
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& w : all_workloads()) names.emplace_back(w->name());
  for (const auto& s : all_suites()) names.push_back(s.name);
  return names;
}

std::string known_targets() {
  std::vector<std::string> names;
  for (const auto& w : all_workloads()) names.emplace_back(w->name());
  for (const auto& s : all_suites()) names.push_back(s.name + " (suite)");
  return join(names);
}

// Every combination of the parameters' value lists, in declaration order.
std::vector<ParamValues> cartesian(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& lists) {
  std::vector<ParamValues> out{ParamValues{}};
  for (const auto& [name, values] : lists) {
    std::vector<ParamValues> next;
    for (const auto& partial : out) {
      for (const auto& v : values) {
        ParamValues p = partial;
        p.set(name, v);
        next.push_back(std::move(p));
      }
    }
    out = std::move(next);
  }
  return out;
}

// The same item twice in one list would run the same case twice, with duplicate (case, rep) rows.
void reject_repeats(const std::vector<std::string>& items, std::string_view what) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (std::find(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(i), items[i]) !=
        items.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw BadInput(fmt::format("{}: '{}' is listed twice; name each once", what, items[i]));
    }
  }
}

// A suite and a workload (or two suites) can name the same case: it runs once, in the first
// group that has it. `index` finds a group by workload and parameters (a scan of every group per
// group grew with the square of a long sweep).
using GroupIndex = std::map<std::string, std::size_t>;
// The workload and every parameter value, NUL-separated (no name or value holds a NUL).
std::string group_key(const CaseGroup& g) {
  std::string key(g.workload->name());
  for (const auto& [name, value] : g.params.all()) {
    key += '\0';
    key += name;
    key += '=';
    key += value;
  }
  return key;
}
bool same_case(const Case& a, const Case& b) {
  return a.backend == b.backend && a.workers == b.workers && a.pin.name() == b.pin.name();
}
void add_group(std::vector<CaseGroup>& groups, GroupIndex& index, CaseGroup g) {
  const auto [it, added] = index.try_emplace(group_key(g), groups.size());
  if (!added) {
    auto& existing = groups[it->second];
    for (auto& c : g.cases) {
      if (std::none_of(existing.cases.begin(), existing.cases.end(),
                       [&](const Case& e) { return same_case(e, c); })) {
        existing.max_workers = std::max(existing.max_workers, c.workers);
        existing.cases.push_back(std::move(c));
      }
    }
    return;
  }
  groups.push_back(std::move(g));
}

}  // namespace

std::size_t RunPlan::case_count() const {
  std::size_t n = 0;
  for (const auto& g : groups) n += g.cases.size();
  return n;
}

namespace {

void check_request(const RunRequest& req) {
  if (req.targets.empty())
    throw BadInput(fmt::format("nothing to run; name a workload or suite: {}", known_targets()));
  if (req.reps && *req.reps < 1)
    throw BadInput(fmt::format("--reps: {} is not allowed; expected at least 1", *req.reps));
  if (req.warmup < 0)
    throw BadInput(fmt::format("--warmup: {} is not allowed; expected 0 or more", req.warmup));
  if (!(req.timeout_s > 0) || !(req.timeout_s <= kMaxTimeoutS)) {
    throw BadInput(
        fmt::format("--timeout: {} is not allowed; expected seconds above 0 and at most "
                    "{:g} ({} days)",
                    req.timeout_s, kMaxTimeoutS, kMaxTimeoutS / 86400));
  }
  reject_repeats(req.targets, "workload or suite");
  reject_repeats(req.backends, "--backend");
  reject_repeats(req.pins, "--pin");
  std::vector<std::string> counts;
  for (int n : req.workers) counts.push_back(std::to_string(n));
  reject_repeats(counts, "--workers");
}

// The named workloads and suites as entries; *suite_reps: the fewest a named suite asks for.
std::vector<SuiteEntry> expand_targets(const std::vector<std::string>& targets, int* suite_reps) {
  std::vector<SuiteEntry> entries;
  *suite_reps = 0;
  for (const auto& t : targets) {
    if (const Suite* s = find_suite(t)) {
      entries.insert(entries.end(), s->entries.begin(), s->entries.end());
      if (s->reps > 0) *suite_reps = *suite_reps == 0 ? s->reps : std::min(*suite_reps, s->reps);
    } else if (find_workload(t) != nullptr) {
      entries.push_back({t, {}, {}});
    } else {
      throw BadInput(fmt::format("unknown workload or suite '{}'{}; known: {}", t,
                                 did_you_mean(t, target_names()), known_targets()));
    }
  }
  return entries;
}

std::vector<const Backend*> named_backends(const std::vector<std::string>& names) {
  std::vector<const Backend*> backends;
  for (const auto& name : names) {
    const Backend* b = find_backend(name);
    if (b == nullptr) {
      std::vector<std::string> known;
      for (const auto& k : all_backends()) known.emplace_back(k->name());
      throw BadInput(fmt::format("--backend: unknown backend '{}'{}; known: {}", name,
                                 did_you_mean(name, known), join(known)));
    }
    backends.push_back(b);
  }
  return backends;
}

// A text parameter of any selected workload (ParamSpec::Kind::Text) named `name`.
bool is_text_param(const std::string& name, const std::vector<SuiteEntry>& entries) {
  return std::any_of(entries.begin(), entries.end(), [&](const SuiteEntry& e) {
    const auto specs = find_workload(e.workload)->params();
    return std::any_of(specs.begin(), specs.end(), [&](const ParamSpec& s) {
      return s.name == name && s.kind == ParamSpec::Kind::Text;
    });
  });
}

// A --param given twice: its values belong in one list, except a text parameter's, which are
// given one per --param.
void reject_repeated_params(const RunRequest& req, const std::vector<SuiteEntry>& entries) {
  for (std::size_t i = 0; i < req.params.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (req.params[i].first != req.params[j].first) continue;
      const auto& name = req.params[i].first;
      if (is_text_param(name, entries)) continue;
      const std::string first = fmt::format("{}", fmt::join(req.params[j].second, ","));
      const std::string second = fmt::format("{}", fmt::join(req.params[i].second, ","));
      throw BadInput(
          fmt::format("--param {} is given twice ({}={} and {}={}); give every value in one list: "
                      "--param {}={},{}",
                      name, name, first, name, second, name, first, second));
    }
  }
}

// The values of one --param (or suite) text for `spec`: a comma-separated list with ranges
// expanded, or for a text parameter the whole text.
std::vector<std::string> param_values(const ParamSpec& spec, const std::string& text,
                                      std::string_view what) {
  if (spec.kind == ParamSpec::Kind::Text) return {text};
  return split_values(text, fmt::format("{} {}", what, spec.name));
}

// Every --param must belong to at least one selected workload; it applies to those that have it.
void check_params_known(const RunRequest& req, const std::vector<SuiteEntry>& entries) {
  reject_repeated_params(req, entries);
  for (const auto& param : req.params) {
    const std::string& name = param.first;
    const bool known = std::any_of(entries.begin(), entries.end(), [&](const SuiteEntry& e) {
      const auto specs = find_workload(e.workload)->params();
      return std::any_of(specs.begin(), specs.end(),
                         [&](const ParamSpec& s) { return s.name == name; });
    });
    if (known) continue;
    std::vector<std::string> names;
    for (const auto& e : entries) {
      for (const auto& s : find_workload(e.workload)->params()) add_unique(names, s.name);
    }
    throw BadInput(
        fmt::format("--param: unknown parameter '{}'{} for the selected workloads; they take: {}",
                    name, did_you_mean(name, names), join(names)));
  }
}

// Each parameter's values for one entry: --param over the suite's over the workload's defaults.
std::vector<std::pair<std::string, std::vector<std::string>>> param_lists(const Workload& w,
                                                                          const SuiteEntry& entry,
                                                                          const RunRequest& req) {
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  for (const auto& spec : w.params()) {
    std::vector<std::string> raw = spec.defaults;
    for (const auto& [name, values] : entry.params) {
      if (name == spec.name) raw = param_values(spec, values, "suite parameter");
    }
    bool given = false;  // the first --param of this name replaces the defaults, later ones add
    for (const auto& [name, texts] : req.params) {
      if (name != spec.name) continue;
      if (!given) raw.clear();
      given = true;
      for (const auto& text : texts) {
        const auto values = param_values(spec, text, "--param");
        raw.insert(raw.end(), values.begin(), values.end());
      }
    }
    std::vector<std::string> values;
    for (const auto& v : raw) add_unique(values, spec.normalize(v));
    lists.emplace_back(spec.name, values);
  }
  return lists;
}

// The worker counts of one entry on one backend: --workers, else the suite's, else the backend's
// choice from the workload's usual counts (or the suite's per-CPU multiples).
std::vector<int> worker_counts(const Workload& w, const SuiteEntry& entry, const RunRequest& req,
                               const Backend& b, int cpus) {
  if (!req.workers.empty()) {
    for (int n : req.workers) b.check_workers(n);
    return req.workers;
  }
  if (!entry.workers.empty()) return entry.workers;
  std::vector<int> usual;
  for (int m : entry.workers_per_cpu) usual.push_back(m * cpus);
  if (usual.empty()) usual = w.default_workers(cpus);
  return b.default_workers(w, usual);
}

struct Selection {
  const RunRequest& req;
  std::vector<const Backend*> backends;  // empty: the entry's, else the defaults
  std::vector<PinPolicy> pins;
  int cpus = 1;
};

std::vector<const Backend*> entry_backends(const SuiteEntry& entry, const Selection& sel) {
  std::vector<const Backend*> backends = sel.backends;
  if (backends.empty()) {
    for (const auto& name : entry.backends) backends.push_back(find_backend(name));
  }
  if (backends.empty()) {
    for (const auto& name : find_workload(entry.workload)->default_backends())
      backends.push_back(find_backend(name));
  }
  if (backends.empty()) backends = default_backends();
  return backends;
}

// How many cases the entries make, counted before any is made (at most kMaxCases + 1: the product
// of a few long lists overflows anything). BadInput past kMaxCases.
void check_case_count(const std::vector<SuiteEntry>& entries, const Selection& sel) {
  double total = 0;
  for (const auto& entry : entries) {
    const Workload* w = find_workload(entry.workload);
    double n = static_cast<double>(std::max<std::size_t>(1, sel.pins.size()));
    for (const auto& [name, values] : param_lists(*w, entry, sel.req))
      n *= static_cast<double>(values.size());
    double per_backend = 0;
    for (const Backend* b : entry_backends(entry, sel))
      per_backend += static_cast<double>(worker_counts(*w, entry, sel.req, *b, sel.cpus).size());
    total += n * per_backend;
  }
  if (total > static_cast<double>(kMaxCases)) {
    throw BadInput(fmt::format(
        "the selection makes {} cases, more than the {} one run may have (every combination "
        "of the workloads, parameter lists, backends, worker counts and pin policies runs); "
        "shorten a list or split the run",
        total < 1e15 ? fmt::format("{:.0f}", total) : fmt::format("{:.3g}", total), kMaxCases));
  }
}

// One group per combination of the entry's parameter values, with a case per backend, worker
// count and pin policy.
void add_entry(RunPlan& plan, GroupIndex& index, const SuiteEntry& entry, const Selection& sel) {
  const Workload* w = find_workload(entry.workload);
  const auto lists = param_lists(*w, entry, sel.req);
  for (const auto& [name, values] : lists) add_unique(plan.schema.params, name);
  for (const auto& m : w->metrics()) add_unique(plan.schema.metrics, m.name);
  const std::vector<const Backend*> backends = entry_backends(entry, sel);
  for (auto& params : cartesian(lists)) {
    throw_if_interrupted();  // a long sweep: Ctrl-C works while it is made
    CaseGroup g{w, std::move(params), {}, 1};
    w->check_params(g.params);
    std::vector<PinPolicy> pins = sel.pins;
    if (const auto implied = w->pin_for(g.params)) pins = {PinPolicy::parse(*implied)};
    for (const Backend* b : backends) {
      for (int n : worker_counts(*w, entry, sel.req, *b, sel.cpus)) {
        for (const auto& pin : pins) {
          std::string unsupported = pin.unavailable(Topology::get()).value_or("");
          if (unsupported.empty()) unsupported = b->unsupported(*w, n);
          g.cases.push_back({b, n, pin, pin.assign(n), unsupported});
          g.max_workers = std::max(g.max_workers, n);
        }
      }
    }
    add_group(plan.groups, index, std::move(g));
  }
}

}  // namespace

std::string case_name(const CaseGroup& g, const Case& c) {
  std::string out = fmt::format("{} {} w={} pin={}", g.workload->name(), c.backend->name(),
                                c.workers, c.pin.name());
  for (const auto& [name, value] : g.params.all()) out += fmt::format(" {}={}", name, value);
  return out;
}

namespace {

// Keeps the cases whose name matches `filter` (POSIX extended regular expression); BadInput for a
// malformed expression or one that matches nothing.
void filter_cases(RunPlan& plan, const std::string& filter) {
  regex_t re;
  if (const int err = regcomp(&re, filter.c_str(), REG_EXTENDED | REG_NOSUB); err != 0) {
    std::array<char, 256> why{};
    regerror(err, &re, why.data(), why.size());
    throw BadInput(fmt::format("--filter: '{}' is not an extended regular expression: {}", filter,
                               why.data()));
  }
  std::string example;
  std::size_t before = 0;
  for (auto& g : plan.groups) {
    before += g.cases.size();
    std::erase_if(g.cases, [&](const Case& c) {
      const std::string name = case_name(g, c);
      if (example.empty()) example = name;
      return regexec(&re, name.c_str(), 0, nullptr, 0) != 0;
    });
  }
  regfree(&re);
  std::erase_if(plan.groups, [](const CaseGroup& g) { return g.cases.empty(); });
  if (plan.groups.empty()) {
    throw BadInput(
        fmt::format("--filter: '{}' matches none of the {} case(s); a case's name reads like '{}'",
                    filter, before, example));
  }
}

}  // namespace

RunPlan make_plan(const RunRequest& req) {
  check_request(req);
  int suite_reps = 0;
  const std::vector<SuiteEntry> entries = expand_targets(req.targets, &suite_reps);
  Selection sel{req, named_backends(req.backends), {}, 1};
  for (const auto& p : req.pins) sel.pins.push_back(PinPolicy::parse(p));
  check_params_known(req, entries);
  sel.cpus = static_cast<int>(std::max<std::size_t>(1, allowed_cpus().size()));

  RunPlan plan;
  plan.reps = req.reps.value_or(suite_reps > 0 ? suite_reps : kDefaultReps);
  plan.warmup = req.warmup;
  plan.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(req.timeout_s * 1e9));
  check_case_count(entries, sel);
  GroupIndex index;
  for (const auto& entry : entries) add_entry(plan, index, entry, sel);
  if (!req.filter.empty()) filter_cases(plan, req.filter);
  return plan;
}

RunRequest select_cases(const std::vector<std::string>& targets, const std::string& backends,
                        const std::string& workers, const std::vector<std::string>& params) {
  RunRequest r;
  // `run a,b` and `run a b` alike.
  for (const auto& t : targets) {
    if (t.find('=') != std::string::npos) {
      throw BadInput(fmt::format(
          "'{}' is not a workload or suite but looks like a parameter: give it as --param {} (one "
          "--param per name, its values comma-separated)",
          t, t));
    }
    for (auto& item : split_list(t, "workload or suite")) r.targets.push_back(std::move(item));
  }
  if (!backends.empty()) r.backends = split_list(backends, "--backend");
  if (!workers.empty()) r.workers = parse_workers(workers);
  for (const auto& p : params) r.params.push_back(parse_param_option(p));
  return r;
}

}  // namespace parbench
