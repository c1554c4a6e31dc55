#pragma once
// The peak resident set of the calling process over a window, from the kernel's high-water mark
// (VmHWM), which /proc/self/clear_refs can set back to the current resident set (Linux 4.0+).
#include <cstdint>
#include <optional>

namespace parbench {

// Starts a window: the high-water mark becomes the current resident set. False when the kernel
// refuses (then the mark would be the whole life of the process, so no peak is reported).
bool reset_peak_rss();
// The highest resident set since the last reset, in KiB; nullopt when it cannot be read.
std::optional<std::int64_t> peak_rss_kb();

}  // namespace parbench
