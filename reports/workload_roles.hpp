#pragma once
// Each workload's declared role in the reports (report_role.hpp): which limit its cases are
// measured against, which comparison table they belong to. A run keeps them in meta.json
// (schema.roles, in the run's order of workloads); every report reads them from there.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report_role.hpp"

namespace parbench {

class WorkloadRoles {
 public:
  // schema.roles of a meta.json document. A report written before roles were declared has none:
  // it gets the roles this program's workloads declare (set_known), which is what it was
  // reported with then.
  static WorkloadRoles from_schema(const nlohmann::json& schema);
  // The roles of the workloads this program knows; the command line sets them at start.
  static void set_known(WorkloadRoles roles);
  [[nodiscard]] nlohmann::json to_json() const;

  void add(std::string workload, ReportRole role);
  // The role of `workload`; an empty one when it declared none.
  [[nodiscard]] const ReportRole& of(std::string_view workload) const;
  // Every declared role, in the run's order of workloads.
  [[nodiscard]] const std::vector<std::pair<std::string, ReportRole>>& all() const {
    return roles_;
  }

  // The channels whose messages cross hosts (ChannelKind::crosses_hosts), which no probe of one
  // machine bounds: schema.channels_across_hosts, or this program's for a report without it.
  void add_channel_across_hosts(std::string channel);
  [[nodiscard]] bool crosses_hosts(std::string_view channel) const;
  [[nodiscard]] const std::vector<std::string>& channels_across_hosts() const {
    return channels_across_hosts_;
  }

 private:
  std::vector<std::pair<std::string, ReportRole>> roles_;
  std::vector<std::string> channels_across_hosts_;
};

}  // namespace parbench
