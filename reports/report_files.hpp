#pragma once
// Finding a report's files from what a user names: PREFIX.csv or PREFIX, and PREFIX.meta.json.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace parbench {

// PREFIX from "PREFIX.csv" or "PREFIX".
std::string report_prefix(std::string path);

// PREFIX.meta.json parsed, or an empty object when the file does not exist. Throws BadInput,
// naming `command` and the file, when it is not valid JSON.
nlohmann::json read_report_meta(const std::string& prefix, std::string_view command);

}  // namespace parbench
