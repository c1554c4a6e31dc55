#include "plan.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "bad_input.hpp"
#include "mpi_world.hpp"
#include "registry.hpp"
#include "suites.hpp"
#include "topology.hpp"

namespace parbench {
namespace {

std::string join(const std::vector<std::string>& v) {
  return fmt::format("{}", fmt::join(v, ", "));
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

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
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
// group that has it.
bool same_case(const Case& a, const Case& b) {
  return a.backend == b.backend && a.workers == b.workers && a.pin.name() == b.pin.name();
}
void add_group(std::vector<CaseGroup>& groups, CaseGroup g) {
  for (auto& existing : groups) {
    if (existing.workload != g.workload || existing.params != g.params) continue;
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

std::vector<std::string> split_list(std::string_view text, std::string_view what) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const auto item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      throw BadInput(
          fmt::format("{}: '{}' is not a comma-separated list (empty item)", what, text));
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<int> parse_workers(std::string_view text) {
  std::vector<int> out;
  for (const auto& item : split_list(text, "--workers")) {
    std::int64_t v = 0;
    if (!parse_integer(item, v) || v < 1 || v > kMaxWorkers) {
      throw BadInput(
          fmt::format("--workers: '{}' is not a worker count; expected integers from 1 to {}", item,
                      kMaxWorkers));
    }
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::pair<std::string, std::vector<std::string>> parse_param_option(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw BadInput(fmt::format("--param: '{}' is not NAME=VALUE[,VALUE...]", text));
  }
  return {std::string(text.substr(0, eq)),
          split_list(text.substr(eq + 1), fmt::format("--param {}", text.substr(0, eq)))};
}

namespace {

// The mpi backend runs one worker per rank: by default the workload's counts up to the ranks.
std::vector<int> mpi_workers(const Workload& w) {
  std::vector<int> counts = w.default_workers(mpi::size());
  std::erase_if(counts, [](int n) { return n > mpi::size(); });
  if (counts.empty()) counts.push_back(std::min(mpi::size(), w.default_workers(1).front()));
  return counts;
}

// Why a case cannot run on the mpi backend, or "".
std::string mpi_unsupported(const Workload& w, int workers) {
  if (!mpi::compiled()) return mpi::unavailable_reason();
  if (!w.runs_on_mpi()) {
    return fmt::format(
        "{} keeps its workers' shared state in shared memory, which MPI ranks on "
        "different hosts do not have; on mpi: cpu_sum, ipc_pingpong, ipc_stream",
        w.name());
  }
  if (!mpi::initialized()) return mpi::unavailable_reason();
  if (workers > mpi::size()) {
    return fmt::format("{} workers need {} MPI ranks; this job has {} (mpirun -np {})", workers,
                       workers, mpi::size(), workers);
  }
  return {};
}

}  // namespace

RunPlan make_plan(const RunRequest& req) {
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
  {
    std::vector<std::string> counts;
    for (int n : req.workers) counts.push_back(std::to_string(n));
    reject_repeats(counts, "--workers");
  }
  for (std::size_t i = 0; i < req.params.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (req.params[i].first == req.params[j].first) {
        const auto& name = req.params[i].first;
        throw BadInput(fmt::format(
            "--param {} is given twice ({}={} and {}={}); give every value in one list: "
            "--param {}={},{}",
            name, name, fmt::join(req.params[j].second, ","), name,
            fmt::join(req.params[i].second, ","), name, fmt::join(req.params[j].second, ","),
            fmt::join(req.params[i].second, ",")));
      }
    }
  }

  std::vector<SuiteEntry> entries;
  int suite_reps = 0;  // the fewest a named suite asks for (0: none does)
  for (const auto& t : req.targets) {
    if (const Suite* s = find_suite(t)) {
      entries.insert(entries.end(), s->entries.begin(), s->entries.end());
      if (s->reps > 0) suite_reps = suite_reps == 0 ? s->reps : std::min(suite_reps, s->reps);
    } else if (find_workload(t) != nullptr) {
      entries.push_back({t, {}, {}});
    } else {
      throw BadInput(fmt::format("unknown workload or suite '{}'; known: {}", t, known_targets()));
    }
  }

  std::vector<const Backend*> backends;
  for (const auto& name : req.backends) {
    const Backend* b = find_backend(name);
    if (b == nullptr) {
      std::vector<std::string> known;
      for (const auto& k : all_backends()) known.emplace_back(k->name());
      for (const auto& k : python_backends()) known.emplace_back(k->name());
      for (const auto& k : mpi_backends()) known.emplace_back(k->name());
      throw BadInput(fmt::format("--backend: unknown backend '{}'; known: {}", name, join(known)));
    }
    backends.push_back(b);
  }
  std::vector<const Backend*> default_backends;
  for (const auto& b : all_backends()) default_backends.push_back(b.get());
  std::vector<PinPolicy> pins;
  for (const auto& p : req.pins) pins.push_back(PinPolicy::parse(p));

  // Every --param must belong to at least one selected workload; it applies to those that have it.
  for (const auto& [name, values] : req.params) {
    const bool known = std::any_of(entries.begin(), entries.end(), [&](const SuiteEntry& e) {
      const auto specs = find_workload(e.workload)->params();
      return std::any_of(specs.begin(), specs.end(),
                         [&](const ParamSpec& s) { return s.name == name; });
    });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& e : entries) {
        for (const auto& s : find_workload(e.workload)->params()) add_unique(names, s.name);
      }
      throw BadInput(
          fmt::format("--param: unknown parameter '{}' for the selected workloads; they take: {}",
                      name, join(names)));
    }
  }

  const int cpus = static_cast<int>(std::max<std::size_t>(1, allowed_cpus().size()));
  RunPlan plan;
  plan.reps = req.reps.value_or(suite_reps > 0 ? suite_reps : kDefaultReps);
  plan.warmup = req.warmup;
  plan.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(req.timeout_s * 1e9));
  for (const auto& entry : entries) {
    const Workload* w = find_workload(entry.workload);
    std::vector<std::pair<std::string, std::vector<std::string>>> lists;
    for (const auto& spec : w->params()) {
      std::vector<std::string> raw = spec.defaults;
      for (const auto& [name, values] : entry.params) {
        if (name == spec.name) raw = split_list(values, "suite parameter " + name);
      }
      for (const auto& [name, values] : req.params) {
        if (name == spec.name) raw = values;
      }
      std::vector<std::string> values;
      for (const auto& v : raw) add_unique(values, spec.normalize(v));
      lists.emplace_back(spec.name, values);
      add_unique(plan.schema.params, spec.name);
    }
    for (const auto& m : w->metrics()) add_unique(plan.schema.metrics, m.name);

    std::vector<int> per_cpu;
    for (int m : entry.workers_per_cpu) per_cpu.push_back(m * cpus);
    const std::vector<int> workers = !req.workers.empty()     ? req.workers
                                     : !entry.workers.empty() ? entry.workers
                                     : !per_cpu.empty()       ? per_cpu
                                                              : w->default_workers(cpus);
    for (auto& params : cartesian(lists)) {
      CaseGroup g{w, std::move(params), {}, *std::max_element(workers.begin(), workers.end())};
      std::vector<PinPolicy> group_pins = pins;
      if (const auto implied = w->pin_for(g.params)) group_pins = {PinPolicy::parse(*implied)};
      std::vector<const Backend*> entry_backends = backends;
      if (entry_backends.empty()) {
        for (const auto& name : entry.backends) entry_backends.push_back(find_backend(name));
      }
      if (entry_backends.empty()) entry_backends = default_backends;
      for (const Backend* b : entry_backends) {
        const std::vector<int>& counts =
            b->is_mpi() && req.workers.empty() && entry.workers.empty() ? mpi_workers(*w) : workers;
        for (int n : counts) {
          if (b->is_mpi() && !req.workers.empty() && mpi::initialized() && n > mpi::size()) {
            throw BadInput(fmt::format(
                "--workers: {} is not allowed on the mpi backend, which runs one worker per MPI "
                "rank and has {} here; run it under mpirun -np {} or more",
                n, mpi::size(), n));
          }
          for (const auto& pin : group_pins) {
            std::string unsupported = pin.unavailable(Topology::get()).value_or("");
            if (b->is_mpi() && unsupported.empty()) unsupported = mpi_unsupported(*w, n);
            g.cases.push_back({b, n, pin, pin.assign(n), unsupported});
            g.max_workers = std::max(g.max_workers, n);
          }
        }
      }
      add_group(plan.groups, std::move(g));
    }
  }
  return plan;
}

}  // namespace parbench
