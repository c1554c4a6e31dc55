#pragma once
// What the numbers were measured on. Goes beside every report (PREFIX.meta.json) and is what
// `parbench env` prints. A fact that cannot be read on this machine is null, never made up.
#include <nlohmann/json.hpp>
#include <string>

namespace parbench {

// This machine's host name (gethostname): the `host` column of every row it measures.
std::string host_name();
nlohmann::json describe_machine();
// The same, as lines for a terminal.
std::string format_machine(const nlohmann::json& machine);

}  // namespace parbench
