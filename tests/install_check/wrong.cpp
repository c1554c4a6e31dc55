// A check that fails: every repetition an error row with the check's words, exit 1.
#include <parbench/simple_workload.hpp>
#include <string>

static const bool registered = parbench::register_simple_workload({
    .name = "wrong",
    .items = 1000,
    .work =
        [](const parbench::SimpleWorker& w) { return static_cast<std::uint64_t>(w.end - w.begin); },
    .check = [](const parbench::SimpleCheck& c) -> std::string {
      std::uint64_t sum = 0;
      for (auto r : c.results) sum += r;
      return sum == static_cast<std::uint64_t>(c.items) + 1 ? "" : "off by one, on purpose";
    },
});
