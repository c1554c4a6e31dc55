// parbench limits: measure what this machine allows (limits.hpp), print it as a table, and with
// --out write PREFIX.limits.csv and PREFIX.limits.json. The measurement refreshes the cache that
// `run` reads, so the next run's of_limit columns use these figures.
#include <fmt/core.h>

#include "commands.hpp"
#include "csv_writer.hpp"
#include "limits.hpp"
#include "report_files.hpp"

namespace parbench::cli {
namespace {

std::string limits_csv(const MachineLimits& limits) {
  std::string out =
      csv_line({"name", "placement", "cpus", "workers", "value", "unit", "unsupported"});
  for (const auto& v : limits.values) {
    out += csv_line({v.name, v.placement, v.cpus, v.workers > 0 ? std::to_string(v.workers) : "",
                     format_optional(v.value), v.unit, v.unsupported});
  }
  return out;
}

}  // namespace

Command add_limits(CLI::App& app) {
  struct Options {
    std::string out;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "limits",
      "Measure what this machine allows (cache-line and wake-up round trips, copy bandwidth, the "
      "speedup ceiling, start-up costs): the yardsticks of every run's of_limit column");
  cmd->add_option("--out", o->out, "Also write PREFIX.limits.csv and PREFIX.limits.json");
  cmd->add_flag("--json", o->json, "Print the limits as JSON instead of a table");
  return [o] {
    if (!o->out.empty()) prepare_output_prefix(o->out, "--out");
    const MachineLimits limits = cached_limits(/*refresh=*/true);
    if (!o->out.empty()) {
      write_file_atomically(o->out + ".limits.csv", limits_csv(limits));
      write_file_atomically(o->out + ".limits.json", limits.to_json().dump(2) + "\n");
    }
    if (o->json) {
      fmt::print("{}\n", limits.to_json().dump(2));
    } else {
      fmt::print("{}", format_limits_table(limits));
      if (!o->out.empty()) fmt::print("limits:   {}.limits.csv\n", o->out);
    }
    return 0;
  };
}

}  // namespace parbench::cli
