#include "workload_roles.hpp"

#include <algorithm>

namespace parbench {

namespace {

WorkloadRoles& known() {
  static WorkloadRoles roles;
  return roles;
}

}  // namespace

void WorkloadRoles::set_known(WorkloadRoles roles) { known() = std::move(roles); }

WorkloadRoles WorkloadRoles::from_schema(const nlohmann::json& schema) {
  if (!schema.is_object() || !schema.contains("roles")) return known();
  WorkloadRoles out;
  if (schema.contains("channels_across_hosts") && schema["channels_across_hosts"].is_array()) {
    for (const auto& c : schema["channels_across_hosts"])
      if (c.is_string()) out.add_channel_across_hosts(c.get<std::string>());
  } else {
    out.channels_across_hosts_ = known().channels_across_hosts_;
  }
  if (!schema["roles"].is_array()) return out;
  for (const auto& e : schema["roles"]) {
    if (!e.is_object() || !e.contains("workload") || !e["workload"].is_string()) continue;
    out.add(e["workload"].get<std::string>(), ReportRole::from_json(e));
  }
  return out;
}

void WorkloadRoles::add_channel_across_hosts(std::string channel) {
  if (!crosses_hosts(channel)) channels_across_hosts_.push_back(std::move(channel));
}

bool WorkloadRoles::crosses_hosts(std::string_view channel) const {
  return std::find(channels_across_hosts_.begin(), channels_across_hosts_.end(), channel) !=
         channels_across_hosts_.end();
}

nlohmann::json WorkloadRoles::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [workload, role] : roles_) {
    nlohmann::json j = role.to_json();
    j["workload"] = workload;
    list.push_back(std::move(j));
  }
  return list;
}

void WorkloadRoles::add(std::string workload, ReportRole role) {
  if (role.empty()) return;
  for (auto& [name, existing] : roles_) {
    if (name == workload) {
      existing = std::move(role);
      return;
    }
  }
  roles_.emplace_back(std::move(workload), std::move(role));
}

const ReportRole& WorkloadRoles::of(std::string_view workload) const {
  static const ReportRole none;
  for (const auto& [name, role] : roles_) {
    if (name == workload) return role;
  }
  return none;
}

}  // namespace parbench
