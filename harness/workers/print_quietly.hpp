#pragma once
// Console output that cannot fail the command: after a hang-up the terminal is gone and a write
// to it fails, but the run's files are what matters and are already written.
#include <cstdio>
#include <string_view>

namespace parbench {

inline void print_quietly(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

}  // namespace parbench
