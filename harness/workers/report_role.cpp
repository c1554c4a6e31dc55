#include "report_role.hpp"

namespace parbench {

nlohmann::json ReportRole::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (!limit.empty()) j["limit"] = limit;
  if (!ipc_table.empty()) j["ipc_table"] = ipc_table;
  if (!own_code.empty()) j["own_code"] = own_code;
  if (sync_table) {
    const SyncTable& t = *sync_table;
    nlohmann::json extras = nlohmann::json::array();
    for (const auto& e : t.extras)
      extras.push_back({{"header", e.header}, {"metric", e.metric}, {"format", e.format}});
    j["sync_table"] = {{"title", t.title},
                       {"key_param", t.key_param},
                       {"block_param", t.block_param},
                       {"metric", t.metric},
                       {"higher_is_better", t.higher_is_better},
                       {"format", t.format},
                       {"extras", extras}};
  }
  return j;
}

ReportRole ReportRole::from_json(const nlohmann::json& j) {
  ReportRole r;
  if (!j.is_object()) return r;
  try {
    r.limit = j.value("limit", "");
    r.ipc_table = j.value("ipc_table", "");
    r.own_code = j.value("own_code", "");
    if (j.contains("sync_table") && j["sync_table"].is_object()) {
      const auto& t = j["sync_table"];
      SyncTable s{t.value("title", ""),
                  t.value("key_param", ""),
                  t.value("block_param", ""),
                  t.value("metric", ""),
                  t.value("higher_is_better", true),
                  t.value("format", "si"),
                  {}};
      if (t.contains("extras") && t["extras"].is_array()) {
        for (const auto& e : t["extras"]) {
          s.extras.push_back(
              {e.value("header", ""), e.value("metric", ""), e.value("format", "si")});
        }
      }
      r.sync_table = std::move(s);
    }
  } catch (const nlohmann::json::exception&) {
    return {};
  }
  return r;
}

}  // namespace parbench
