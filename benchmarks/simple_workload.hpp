#pragma once
// The short form of a workload, in the spirit of will-it-scale's testcase(): what one worker does
// with its share of the items, how many items a repetition has, optional parameters and an
// optional check of the workers' results. parbench adds the rest: the `items` and `scaling`
// parameters, threads and processes (and MPI ranks), pinning, timing, limits, reports.
//
//   static const bool registered = parbench::register_simple_workload({
//       .name = "histogram",
//       .summary = "bytes counted into 256 bins",
//       .unit = "bytes",
//       .items = 64 << 20,
//       .work = [](const parbench::SimpleWorker& w) { ... return checksum; },
//       .check = [](const parbench::SimpleCheck& c) -> std::string { ... return ""; },
//   });
//
// A work function runs in every worker inside the timed region, on items [w.begin, w.end); it
// returns what the check needs (a count, a sum, a checksum). With threads, processes and MPI ranks
// alike, workers share nothing but their returned values, which the check receives in worker
// order. A workload with no check says so in `parbench list` and in the report.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "params.hpp"

namespace parbench {

struct SimpleWorker {
  int index = 0;  // 0 .. workers - 1
  int workers = 1;
  std::int64_t begin = 0,
               end = 0;  // this worker's items: an even share (strong), or its own (weak)
  const ParamValues* params = nullptr;
  // A parameter's value (one declared in `params`, or items and scaling).
  [[nodiscard]] const std::string& param(const std::string& name) const {
    return params->get(name);
  }
  [[nodiscard]] std::int64_t param_int(const std::string& name) const {
    return params->get_int(name);
  }
};

struct SimpleCheck {
  int workers = 1;
  std::int64_t items = 0;  // items done in all, over every worker
  const ParamValues* params = nullptr;
  std::span<const std::uint64_t> results;  // each worker's return value, in worker order
};

struct SimpleWorkloadSpec {
  std::string name;
  std::string summary;
  std::string unit = "items";      // the work unit: work per second, speedup and of_limit use it
  std::int64_t items = 1'000'000;  // the default of the `items` parameter
  std::vector<ParamSpec> params;   // the workload's own parameters, besides items and scaling
  std::function<std::uint64_t(const SimpleWorker&)> work;
  // "" when the results are right, else what is wrong (an error row). Empty: no check declared.
  std::function<std::string(const SimpleCheck&)> check;
  // What bounds it: compute (measured against the speedup ceiling) or memory bandwidth (the
  // memory ceiling); neither for work that waits.
  bool cpu_bound = true;
  bool memory_bound = false;
};

// Registers the workload (for static initialisation: returns true). A spec without a name or a
// work function is reported when the registry is checked, at the start of the program.
bool register_simple_workload(SimpleWorkloadSpec spec);

}  // namespace parbench
