// A parameter declared twice: exit 2 at start, naming it.
#include <parbench/simple_workload.hpp>

static const bool registered = parbench::register_simple_workload({
    .name = "twice",
    .params = {parbench::ParamSpec::integer("k", "a knob", {"1"}, 1, 10),
               parbench::ParamSpec::integer("k", "the same knob", {"2"}, 1, 10)},
    .work = [](const parbench::SimpleWorker& w) { return static_cast<std::uint64_t>(w.end); },
});
