#include "peak_rss.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace parbench {

bool reset_peak_rss() {
  const int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, "5", 1) == 1;  // 5: reset the peak RSS only, leave the page bits alone
  close(fd);
  return ok;
}

std::optional<std::int64_t> peak_rss_kb() {
  // Plain stdio: this runs in workers after their timed region, where it should cost little.
  std::FILE* f = std::fopen("/proc/self/status", "re");
  if (f == nullptr) return std::nullopt;
  std::optional<std::int64_t> kb;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    long long value = 0;
    if (std::strncmp(line, "VmHWM:", 6) == 0 && std::sscanf(line + 6, "%lld", &value) == 1) {
      kb = value;
      break;
    }
  }
  std::fclose(f);
  return kb;
}

}  // namespace parbench
