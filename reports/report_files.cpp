#include "report_files.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bad_input.hpp"

namespace parbench {

std::string report_prefix(std::string path) {
  if (path.ends_with(".csv")) path.resize(path.size() - 4);
  return path;
}

nlohmann::json read_report_meta(const std::string& prefix, std::string_view command) {
  const std::string path = prefix + ".meta.json";
  if (!std::filesystem::exists(path)) return nlohmann::json::object();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw BadInput(fmt::format("{}: {} is not valid JSON: {}", command, path, e.what()));
  }
}

}  // namespace parbench
