// No check declared: it runs, and `list` and the report say that nothing verified it.
#include <parbench/simple_workload.hpp>

static const bool registered = parbench::register_simple_workload({
    .name = "unchecked",
    .items = 1000,
    .work = [](const parbench::SimpleWorker& w) { return static_cast<std::uint64_t>(w.end); },
});
