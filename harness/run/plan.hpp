#pragma once
// From what the user asked for to the cases to run. All validation of user input happens here,
// before anything is started or written: a bad name, list or value is a BadInput.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backend.hpp"
#include "params.hpp"
#include "pinning.hpp"
#include "row.hpp"
#include "workload.hpp"

namespace parbench {

struct RunRequest {
  std::vector<std::string> targets;   // workload or suite names
  std::vector<std::string> backends;  // empty: every backend
  std::vector<int> workers;           // empty: each workload's default
  // Each --param NAME=TEXT as given; every text is split by the parameter's kind when the plan is
  // made (a list for integers and choices, one value for text), and a repeated text parameter
  // adds values.
  std::vector<std::pair<std::string, std::vector<std::string>>> params;
  std::vector<std::string> pins = {"none"};
  std::optional<int> reps;  // unset: the suite's choice, else kDefaultReps
  int warmup = 1;
  double timeout_s = 120;
  // An extended regular expression (POSIX) a case's name (case_name) must match; "" keeps all.
  std::string filter;
};
inline constexpr int kDefaultReps = 10;
// Long enough for any real case (a week); short enough that the deadline in ns cannot overflow.
inline constexpr double kMaxTimeoutS = 7.0 * 86400;

struct Case {
  const Backend* backend = nullptr;
  int workers = 1;
  PinPolicy pin;
  std::vector<int> cpus;    // the CPU of each worker, empty when not pinned
  std::string unsupported;  // why this machine cannot run the case as asked ("" when it can)
};

// Cases that differ only in backend, worker count or pinning: compared with each other (speedup,
// thread versus process), so their repetitions are interleaved and they share one Experiment.
struct CaseGroup {
  const Workload* workload = nullptr;
  ParamValues params;
  std::vector<Case> cases;
  int max_workers = 1;
};

struct RunPlan {
  std::vector<CaseGroup> groups;
  ReportSchema schema;
  int reps = 10;
  int warmup = 1;
  std::chrono::nanoseconds timeout{};

  [[nodiscard]] std::size_t case_count() const;
};

RunPlan make_plan(const RunRequest& request);

// "cpu_sum thread w=2 pin=none n=600000000 scaling=strong": what --filter matches and progress
// prints.
std::string case_name(const CaseGroup& g, const Case& c);

// What run and count select the same way: targets, --backend, --workers and --param as typed
// (an empty backends or workers text: the defaults).
RunRequest select_cases(const std::vector<std::string>& targets, const std::string& backends,
                        const std::string& workers, const std::vector<std::string>& params);

// "a,b,c" -> {"a","b","c"}; an empty item ("a,,b", "a,") is a BadInput naming `what`.
std::vector<std::string> split_list(std::string_view text, std::string_view what);
// Worker counts: positive integers up to kMaxWorkers.
std::vector<int> parse_workers(std::string_view text);
// A comma-separated list whose items may be integer ranges (expand_range), expanded.
std::vector<std::string> split_values(std::string_view text, std::string_view what);
// "1-8" (every integer), "0-100:+25", "1-16:x2" (1 2 4 8 16), "8-1Mi:x8" (ends in the forms of
// parse_integer): the values as decimal text; nullopt when `item` is not a range (a plain value,
// a name); BadInput for a malformed range or one of more than kMaxRangeValues values.
inline constexpr std::size_t kMaxRangeValues = 1000;
std::optional<std::vector<std::string>> expand_range(std::string_view item, std::string_view what);
inline constexpr int kMaxWorkers = 1024;
// The most cases one run may have: days of runs already, and a plan that fits in memory.
inline constexpr std::size_t kMaxCases = 100'000;
// "NAME=TEXT" -> {NAME, {TEXT}}; the text is split once the parameter's kind is known.
std::pair<std::string, std::vector<std::string>> parse_param_option(std::string_view text);

}  // namespace parbench
