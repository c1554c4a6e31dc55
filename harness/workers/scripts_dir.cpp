#include "scripts_dir.hpp"

#include <cstdlib>
#include <filesystem>

#include "build_info.hpp"

namespace parbench {
namespace {

std::string& given_dir() {
  static std::string dir;
  return dir;
}

}  // namespace

void set_scripts_dir(const std::string& dir) { given_dir() = dir; }

std::string scripts_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("PARBENCH_SCRIPTS_DIR"); env != nullptr && *env != '\0')
    return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "parbench" / "scripts";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  if (!given_dir().empty()) return given_dir();
  return build_info::scripts_dir;
}

std::string examples_dir() {
  return (std::filesystem::path(scripts_dir()).parent_path() / "examples").string();
}

}  // namespace parbench
