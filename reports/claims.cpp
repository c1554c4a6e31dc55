#include "claims.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <optional>

#include "console_table.hpp"

namespace parbench {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

class Lookup {
 public:
  Lookup(const std::vector<SummaryRow>& rows, int cpus) : rows_(rows), cpus_(cpus) {}

  // The successful case with these parameter values (canonical text), or nullptr.
  [[nodiscard]] const SummaryRow* find(const std::string& workload, const std::string& backend,
                                       int workers, const Params& params) const {
    const SummaryRow* r = find_any(workload, backend, workers, params);
    return r != nullptr && r->ok() ? r : nullptr;
  }
  // The case whether it succeeded or not (an error row carries the workload's failed check).
  [[nodiscard]] const SummaryRow* find_any(const std::string& workload, const std::string& backend,
                                           int workers, const Params& params) const {
    for (const auto& r : rows_) {
      if (r.workload != workload || r.backend != backend || r.workers != workers || r.unsupported)
        continue;
      if (std::all_of(params.begin(), params.end(),
                      [&](const auto& p) { return r.param(p.first) == p.second; }))
        return &r;
    }
    return nullptr;
  }
  [[nodiscard]] int cpus() const { return cpus_; }

 private:
  const std::vector<SummaryRow>& rows_;
  int cpus_;
};

// A value a case lacks is "not measured", never 0: every judge returns nullopt without it.
std::optional<double> wall(const SummaryRow& r) {
  return r.wall_ns ? std::optional<double>(r.wall_ns->median) : std::nullopt;
}
// The fastest repetition: for "can these run in parallel", the one least disturbed by the rest of
// a shared machine (a vCPU the host runs at half speed for a while, another tenant).
std::optional<double> best_wall(const SummaryRow& r) {
  return r.wall_ns && r.wall_ns->min > 0 ? std::optional<double>(r.wall_ns->min) : std::nullopt;
}
std::optional<double> metric(const SummaryRow& r, const char* name) { return r.metric(name); }

std::string rate(double per_s) {
  if (per_s >= 1e6) return fmt::format("{:.3g}M/s", per_s / 1e6);
  if (per_s >= 1e3) return fmt::format("{:.3g}k/s", per_s / 1e3);
  return fmt::format("{:.3g}/s", per_s);
}

// What one backend showed: its figures, and whether the claim's rule held there.
struct Seen {
  std::string figures;
  bool holds = false;
};
using Judge = std::function<std::optional<Seen>(const Lookup&, const std::string& backend)>;

// The machine's limit behind a scenario's figures, in words; "" when it has none.
using Explain = std::function<std::string(const MachineLimits&)>;

struct Scenario {
  const char* name;
  const char* claim;
  const char* rule;
  Judge judge;
  Explain explain = nullptr;
};

std::string ceiling_note(const MachineLimits& m, int workers) {
  const auto c = m.speedup_ceiling(workers);
  if (!c) return "";
  return fmt::format(
      "this machine's speedup ceiling at {} workers is {:.2f}x ({} independent loops side by side "
      "against one alone): no backend can do better",
      workers, *c, workers);
}

std::string wake_up_note(const MachineLimits& m) {
  const auto one = m.get("futex_rtt_ns", "same_core");
  const auto idle = m.get("futex_rtt_ns", "cross_core");
  const auto busy = m.get("futex_rtt_ns", "cross_core_busy");
  if (!one || !idle || !busy) return "";
  return fmt::format(
      "a blocking wake-up round trip costs {} on one CPU, {} across CPUs when the other is idle "
      "and {} when it is busy (futex, parbench limits); with placement=none the scheduler picks, "
      "so a pipe p50 near one of these says which it picked, not how good the pipe is",
      format_duration(*one), format_duration(*idle), format_duration(*busy));
}

std::optional<Seen> judge_cpu(const Lookup& l, const std::string& b) {
  const Params p = {{"n", "10000000"}, {"scaling", "weak"}};
  const bool python = b.starts_with("py_");
  const auto* t = l.find("cpu_sum", python ? "py_thread" : "thread", 4, p);
  const auto* pr = l.find("cpu_sum", python ? "py_process" : "process", 4, p);
  const auto* me = l.find("cpu_sum", b, 4, p);
  if (me == nullptr || t == nullptr || pr == nullptr) return std::nullopt;
  const auto mine = best_wall(*me), threads = best_wall(*t), procs = best_wall(*pr);
  if (!mine || !threads || !procs) return std::nullopt;
  Seen s{format_duration(*mine), false};
  {
    const double ratio = *threads / *procs;
    s.holds = python ? ratio >= 1.5 : ratio <= 1.15;
    if (b == (python ? "py_thread" : "thread"))
      s.figures += fmt::format(" ({:.2f}x the processes)", ratio);
  }
  return s;
}

std::optional<Seen> judge_sleep(const Lookup& l, const std::string& b) {
  const auto* r = l.find("sleep", b, 10, {{"ms", "500"}});
  const auto w = r != nullptr ? wall(*r) : std::nullopt;
  if (!w) return std::nullopt;
  return Seen{format_duration(*w), *w < 750e6};
}

std::optional<Seen> judge_pipe_queue_lock(const Lookup& l, const std::string& b) {
  const Params common = {{"size", "64"}, {"placement", "none"}, {"count", "1000"}};
  Params pipe = common, queue = common;
  pipe.emplace_back("channel", "pipe");
  queue.emplace_back("channel", "shm_queue");
  const auto* p = l.find("ipc_pingpong", b, 2, pipe);
  const auto* q = l.find("ipc_pingpong", b, 2, queue);
  const auto* k = l.find("lock_contention", b, 1, {{"lock", "posix_sem"}, {"cs_ns", "0"}});
  if (p == nullptr || q == nullptr || k == nullptr) return std::nullopt;
  const auto pipe_rtt = metric(*p, "rtt_p50_ns"), queue_rtt = metric(*q, "rtt_p50_ns"),
             ops = metric(*k, "ops_per_s");
  if (!pipe_rtt || !queue_rtt || !ops || *ops <= 0) return std::nullopt;
  const double pipe_ns = *pipe_rtt, queue_ns = *queue_rtt, lock_ns = 1e9 / *ops;
  return Seen{fmt::format("pipe {} / queue {} / lock {}", format_duration(pipe_ns),
                          format_duration(queue_ns), format_duration(lock_ns)),
              pipe_ns < queue_ns && lock_ns < pipe_ns / 2};
}

std::optional<Seen> judge_bank(const Lookup& l, const std::string& b) {
  const auto* none = l.find("bank", b, 2, {{"lock", "none"}, {"ops", "50000"}});
  const auto* locked = l.find("bank", b, 2, {{"lock", "posix_sem"}, {"ops", "50000"}});
  if (none == nullptr || locked == nullptr) return std::nullopt;
  const auto lost = metric(*none, "lost_updates");
  const auto lost_locked = metric(*locked, "lost_updates");
  if (!lost || !lost_locked) return std::nullopt;
  return Seen{fmt::format("lost {:.0f} unlocked, {:.0f} locked", *lost, *lost_locked),
              *lost > 0 && *lost_locked == 0};
}

std::optional<Seen> judge_task_queue(const Lookup& l, const std::string& b) {
  const auto* r =
      l.find("ipc_fanin", b, 5,
             {{"channel", "shm_queue"}, {"producers", "1"}, {"count", "5000"}, {"size", "64"}});
  if (r == nullptr) return std::nullopt;
  const auto tasks = metric(*r, "msgs_per_s"), jain = metric(*r, "jain");
  if (!tasks || !jain) return std::nullopt;
  return Seen{fmt::format("{} tasks, Jain {:.2f}", rate(*tasks), *jain), *jain >= 0.8};
}

std::optional<Seen> judge_manager(const Lookup& l, const std::string& b) {
  const auto* proxy = l.find("proxy_store", b, 3, {{"store", "proxy"}, {"ops", "2000"}});
  const auto* shared = l.find("proxy_store", b, 3, {{"store", "shared"}, {"ops", "2000"}});
  if (proxy == nullptr || shared == nullptr) return std::nullopt;
  const auto slow = metric(*proxy, "ops_per_s"), fast = metric(*shared, "ops_per_s");
  if (!slow || !fast || *slow <= 0) return std::nullopt;
  const double ratio = *fast / *slow;
  return Seen{fmt::format("proxy {} / shared {} ({:.0f}x)", rate(*slow), rate(*fast), ratio),
              ratio >= 10};
}

std::optional<Seen> judge_event(const Lookup& l, const std::string& b) {
  // The workload checks every waiter woke in every round; a failed check is its error row,
  // and the claim does not hold there.
  const auto* r = l.find_any("event", b, 5, {{"mechanism", "condvar"}, {"rounds", "200"}});
  if (r == nullptr) return std::nullopt;
  if (!r->ok()) return Seen{r->error, false};
  const auto wake = metric(*r, "wake_p50_ns"), all = metric(*r, "all_woken_p50_ns");
  if (!wake || !all) return std::nullopt;
  return Seen{
      fmt::format("wake p50 {}, all woken p50 {}", format_duration(*wake), format_duration(*all)),
      true};
}

std::optional<Seen> judge_semaphore(const Lookup& l, const std::string& b) {
  const auto* r = l.find("semaphore", b, 5, {{"mechanism", "posix_sem"}, {"k", "2"}});
  if (r == nullptr) return std::nullopt;
  const auto inside = metric(*r, "max_inside"), ops = metric(*r, "ops_per_s");
  if (!inside || !ops) return std::nullopt;
  return Seen{fmt::format("max inside {:.0f}, {}", *inside, rate(*ops)), *inside == 2};
}

std::optional<Seen> judge_oversubscribed(const Lookup& l, const std::string& b) {
  const Params p = {{"n", "20000000"}, {"scaling", "strong"}};
  const int c = l.cpus();
  const auto* one = l.find("cpu_sum", b, c, p);
  const auto* two = l.find("cpu_sum", b, 2 * c, p);
  const auto* four = l.find("cpu_sum", b, 4 * c, p);
  if (one == nullptr || two == nullptr || four == nullptr) return std::nullopt;
  const auto w1 = best_wall(*one), w2 = best_wall(*two), w4 = best_wall(*four);
  if (!w1 || !w2 || !w4) return std::nullopt;
  // The same work in each case, so the rate relative to 1x is the inverse wall ratio.
  const double r2 = *w1 / *w2;
  const double r4 = *w1 / *w4;
  return Seen{fmt::format("{}x: {:.2f}, {}x: {:.2f} of {} workers' rate", 2 * c, r2, 4 * c, r4, c),
              r2 <= 1.1 && r4 <= 1.1};
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> list = {
      {"cpu: threads vs processes",
       "CPU-bound work: Python threads do not run in parallel (the GIL), processes do; in C++ "
       "threads are as fast as processes",
       "4 workers x 10M squares, fastest repetition: py_thread wall >= 1.5 x py_process wall; "
       "thread wall <= 1.15 x process wall",
       judge_cpu, [](const MachineLimits& m) { return ceiling_note(m, 4); }},
      {"sleep: I/O-bound concurrency",
       "10 workers that each sleep 0.5 s finish in about 0.5 s, not 5 s",
       "10 workers x 500 ms: wall < 750 ms", judge_sleep},
      {"Pipe vs Queue vs Lock",
       "A Pipe is cheaper than a Queue, and taking a Lock is cheaper than either",
       "64 B round trip: pipe p50 < queue p50 (shm_queue in C++, multiprocessing.Queue in "
       "Python); uncontended lock + unlock < pipe round trip / 2",
       judge_pipe_queue_lock, wake_up_note},
      {"bank: deposit/withdraw",
       "Without a Lock, concurrent deposits and withdrawals lose updates; with one, none are "
       "lost",
       "2 workers x 100k updates: lost_updates > 0 with lock=none, = 0 with lock=posix_sem",
       judge_bank},
      {"task queue + done queue",
       "Four workers draining one task queue do every task exactly once, sharing the load",
       "1 producer, 4 consumers, 5000 tasks: every task done once (checked), Jain index >= 0.8",
       judge_task_queue},
      {"Manager proxies vs Value/Array",
       "Manager proxies are far slower than shared-memory Value/Array",
       "2 clients, 2000 ops each: shared ops/s >= 10 x proxy ops/s", judge_manager},
      {"Event", "Event.set() releases every waiting worker",
       "1 setter, 4 waiters, 200 rounds: every waiter woke in every round (checked)", judge_event},
      {"Semaphore(2)", "A Semaphore(2) lets at most 2 of 5 workers in at once",
       "5 workers, 100 ms: max_inside = 2 (never more: checked; and the 2 slots used)",
       judge_semaphore},
      {"more workers than cores",
       "Starting more processes than cores does not make CPU-bound work faster",
       "20M squares split, rate = work / fastest repetition's wall: the rate at 2x and at 4x the "
       "CPUs <= 1.1 x the rate at 1x",
       judge_oversubscribed,
       [](const MachineLimits& m) {
         const auto c = m.speedup_ceiling(INT_MAX);  // the largest count measured: every CPU
         if (!c) return std::string();
         return fmt::format(
             "with every CPU computing this machine reaches {:.2f}x one CPU's rate (parbench "
             "limits); workers beyond the CPUs share that",
             *c);
       }},
  };
  return list;
}

}  // namespace

std::vector<ClaimVerdict> judge_claims(const std::vector<SummaryRow>& summary, int cpus,
                                       const std::vector<std::string>& backends,
                                       const MachineLimits& limits) {
  const Lookup lookup(summary, cpus);
  std::vector<ClaimVerdict> out;
  for (const auto& s : scenarios()) {
    ClaimVerdict v{s.name, s.claim, s.rule, {}, {}, {}};
    if (s.explain && !limits.empty()) v.limit = s.explain(limits);
    std::vector<std::string> held, failed;
    for (const auto& b : backends) {
      const auto seen = s.judge(lookup, b);
      v.figures.emplace_back(b, seen ? seen->figures : "not measured");
      if (seen) (seen->holds ? held : failed).push_back(b);
    }
    if (held.empty() && failed.empty()) {
      v.verdict = "not measured";
    } else if (failed.empty()) {
      v.verdict = "holds";
    } else if (held.empty()) {
      v.verdict = "does not hold";
    } else {
      v.verdict = fmt::format("holds on {} only", fmt::join(held, ", "));
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::string format_claims_text(const std::vector<ClaimVerdict>& verdicts) {
  std::string out = "\nThe multiprocessing claims, measured on this machine\n";
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    const auto& s = verdicts[i];
    out += fmt::format("\n{}. {}: {}\n", i + 1, s.scenario, s.claim);
    for (const auto& [backend, figures] : s.figures)
      out += fmt::format("   {:<11} {}\n", backend, figures);
    out += fmt::format("   verdict: {}\n", s.verdict);
    if (!s.limit.empty()) out += fmt::format("   machine: {}\n", s.limit);
  }
  out += "\nRules (a claim holds when its rule is true on every backend that measured it):\n";
  for (std::size_t i = 0; i < verdicts.size(); ++i)
    out += fmt::format("  {}. {}\n", i + 1, verdicts[i].rule);
  return out;
}

std::string format_claims_markdown(const std::vector<ClaimVerdict>& verdicts) {
  std::string out = "| scenario | claim |";
  const auto& columns = verdicts.empty() ? std::vector<std::pair<std::string, std::string>>()
                                         : verdicts.front().figures;
  for (const auto& [backend, figures] : columns) out += fmt::format(" {} |", backend);
  out += " verdict |\n|---|---|";
  for (std::size_t i = 0; i < columns.size(); ++i) out += "---|";
  out += "---|\n";
  for (const auto& s : verdicts) {
    out += fmt::format("| {} | {} |", s.scenario, s.claim);
    for (const auto& f : s.figures) out += fmt::format(" {} |", f.second);
    out += fmt::format(" **{}**{} |\n", s.verdict,
                       s.limit.empty() ? "" : fmt::format("<br>machine: {}", s.limit));
  }
  out +=
      "\nA claim holds when its rule is true on every backend that measured it; \"holds on X "
      "only\" when on some. Rules:\n\n";
  for (const auto& s : verdicts) out += fmt::format("- {}: {}\n", s.scenario, s.rule);
  return out;
}

}  // namespace parbench
