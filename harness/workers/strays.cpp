#include "strays.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <string_view>

namespace parbench {
namespace {

namespace fs = std::filesystem;

// The PID in "parbench.<pid>.<rest>", or 0 when the name is not of that form.
pid_t owner_pid(std::string_view name) {
  constexpr std::string_view kStart = "parbench.";
  if (!name.starts_with(kStart)) return 0;
  name.remove_prefix(kStart.size());
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return 0;
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, pid);
  if (ec != std::errc() || end != name.data() + dot || pid <= 0) return 0;
  return pid;
}

bool alive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

std::string stray_name_prefix() { return "parbench." + std::to_string(getpid()) + "."; }

std::vector<std::string> remove_strays() {
  std::vector<std::string> removed;
  std::error_code ec;
  const fs::path temp = fs::temp_directory_path(ec);
  for (const fs::path& dir : {fs::path("/dev/shm"), fs::path("/dev/mqueue"), temp}) {
    if (dir.empty()) continue;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const pid_t pid = owner_pid(it->path().filename().string());
      if (pid == 0 || pid == getpid() || alive(pid)) continue;
      std::error_code rm;
      fs::remove_all(it->path(), rm);
      if (!rm) removed.push_back(it->path().string());
    }
  }
  return removed;
}

}  // namespace parbench
