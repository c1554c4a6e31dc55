// The test binary's main: Catch's, plus the skips. Under CTest a skipping test exits with
// PARBENCH_SKIP_EXIT (77), which CTest reports as skipped. Run any other way, a skipping test
// returns and the run goes on, but the binary then lists what was skipped and why, and exits with
// 77 when nothing failed: a run with skips is never reported as a plain pass.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace parbench::test {
// support.cpp: the tests that skipped in this process, with their reasons.
const std::vector<std::pair<std::string, std::string>>& skipped_tests();
}  // namespace parbench::test

int main(int argc, char* argv[]) {
  const int failed = Catch::Session().run(argc, argv);
  const auto& skipped = parbench::test::skipped_tests();
  if (!skipped.empty()) {
    std::fprintf(stderr, "\n%zu test case%s skipped, not passed:\n", skipped.size(),
                 skipped.size() == 1 ? "" : "s");
    for (const auto& [name, reason] : skipped)
      std::fprintf(stderr, "  %s: %s\n", name.c_str(), reason.c_str());
  }
  if (failed != 0) return failed;
  return skipped.empty() ? 0 : 77;
}
