// From user input to cases: values parsed exactly, bad input rejected with a message naming it.
#include <catch2/catch.hpp>
#include <csignal>
#include <set>

#include "bad_input.hpp"
#include "interrupt.hpp"
#include "pinning.hpp"
#include "plan.hpp"
#include "python_names.hpp"
#include "topology.hpp"

using namespace parbench;

namespace {
RunRequest request(std::vector<std::string> targets) {
  RunRequest r;
  r.targets = std::move(targets);
  return r;
}
}  // namespace

TEST_CASE("integers accept plain, scientific and binary-suffixed forms", "[params]") {
  std::int64_t v = 0;
  REQUIRE((parse_integer("1000", v) && v == 1000));
  REQUIRE((parse_integer("1e6", v) && v == 1'000'000));
  REQUIRE((parse_integer("2.5e6", v) && v == 2'500'000));
  REQUIRE((parse_integer("1E+3", v) && v == 1000));
  REQUIRE((parse_integer("64Ki", v) && v == 65536));
  REQUIRE((parse_integer("256Mi", v) && v == 268435456));
  REQUIRE((parse_integer("-4", v) && v == -4));
  for (const char* bad :
       {"", "1.5", "abc", "1e", "1e-3", "1,000", "99999999999999999999", "e5", "2.5e0"}) {
    INFO(bad);
    REQUIRE_FALSE(parse_integer(bad, v));
  }
}

TEST_CASE("parameter values are checked against their declaration", "[params]") {
  const auto n = ParamSpec::integer("n", "", {"10"}, 1, 1000);
  REQUIRE(n.normalize("1e3") == "1000");
  REQUIRE_THROWS_WITH(n.normalize("0"),
                      Catch::Contains("out of range") && Catch::Contains("[1, 1000]"));
  REQUIRE_THROWS_WITH(n.normalize("ten"), Catch::Contains("not an integer"));
  const auto s = ParamSpec::choice("scaling", "", {"strong"}, {"strong", "weak"});
  REQUIRE(s.normalize("weak") == "weak");
  REQUIRE_THROWS_WITH(s.normalize("medium"), Catch::Contains("one of strong, weak"));
}

TEST_CASE("lists and options are parsed strictly", "[plan]") {
  REQUIRE(split_list("a,b", "x") == std::vector<std::string>{"a", "b"});
  REQUIRE_THROWS_AS(split_list("a,,b", "x"), BadInput);
  REQUIRE_THROWS_AS(split_list("a,", "x"), BadInput);
  REQUIRE_THROWS_AS(split_list("", "x"), BadInput);
  REQUIRE(parse_workers("1,2,4") == std::vector<int>{1, 2, 4});
  REQUIRE_THROWS_WITH(parse_workers("0"), Catch::Contains("'0' is not a worker count"));
  REQUIRE_THROWS_AS(parse_workers("-1"), BadInput);
  REQUIRE_THROWS_AS(parse_workers("two"), BadInput);
  REQUIRE_THROWS_AS(parse_workers("5000"), BadInput);
  // The text after '=' is kept whole: the parameter's kind decides how it splits (make_plan).
  REQUIRE(parse_param_option("n=1e6,1e8").second == std::vector<std::string>{"1e6,1e8"});
  REQUIRE(split_values("1e6,1e8", "x") == std::vector<std::string>{"1e6", "1e8"});
  // Ranges: every integer, a step, a factor; ends in any integer form.
  REQUIRE(parse_workers("1-4") == std::vector<int>{1, 2, 3, 4});
  REQUIRE(parse_workers("1-16:x2") == std::vector<int>{1, 2, 4, 8, 16});
  REQUIRE(parse_workers("1,4-8:+2") == std::vector<int>{1, 4, 6, 8});
  REQUIRE(split_values("8-1Mi:x8", "size") ==
          std::vector<std::string>{"8", "64", "512", "4096", "32768", "262144"});
  // Not ranges: names with dashes, exponents, a leading sign.
  REQUIRE(split_values("same-core", "pin") == std::vector<std::string>{"same-core"});
  REQUIRE(split_values("1e-3", "n") == std::vector<std::string>{"1e-3"});
  REQUIRE_THROWS_WITH(parse_workers("8-1"), Catch::Contains("is not a range"));
  REQUIRE_THROWS_WITH(parse_workers("1-8:x1"), Catch::Contains("is not a range"));
  REQUIRE_THROWS_WITH(parse_workers("0-16:x2"), Catch::Contains("1 <= FROM"));
  REQUIRE_THROWS_WITH(parse_workers("1-8:/2"), Catch::Contains("FROM-TO:xFACTOR"));
  REQUIRE_THROWS_WITH(split_values("1-1e9", "n"), Catch::Contains("more than 1000 values"));
  REQUIRE_THROWS_AS(parse_param_option("n"), BadInput);
  REQUIRE_THROWS_AS(parse_param_option("=3"), BadInput);
}

TEST_CASE("the matrix is the product of parameters, backends, workers and pins", "[plan]") {
  RunRequest r = request({"cpu_sum"});
  r.workers = {1, 2, 4};
  r.params = {{"n", {"1e6", "1e8"}}, {"scaling", {"strong", "weak"}}};
  r.pins = {"none", "compact"};
  const RunPlan plan = make_plan(r);
  REQUIRE(plan.groups.size() == 4);                                // n x scaling
  REQUIRE(plan.groups[0].cases.size() == std::size_t{2} * 3 * 2);  // backends x workers x pins
  REQUIRE(plan.case_count() == 48);
  REQUIRE(plan.groups[0].max_workers == 4);
  REQUIRE(plan.groups[0].params.get("n") == "1000000");
  REQUIRE(plan.schema.params == std::vector<std::string>{"n", "scaling", "extra_pct"});
  for (const auto& c : plan.groups[0].cases) {
    REQUIRE(c.cpus.size() == (c.pin.pins() ? static_cast<std::size_t>(c.workers) : 0U));
  }
}

TEST_CASE("targets by commas or spaces, and --filter on case names", "[plan]") {
  const RunRequest both = select_cases({"sleep,spawn", "cpu_sum"}, "thread", "1", {});
  REQUIRE(both.targets == std::vector<std::string>{"sleep", "spawn", "cpu_sum"});
  RunRequest r = select_cases({"cpu_sum"}, "", "1,2", {});
  const std::size_t all = make_plan(r).case_count();
  r.filter = "thread w=2";
  const RunPlan only = make_plan(r);
  REQUIRE(only.case_count() == 1);
  REQUIRE(case_name(only.groups[0], only.groups[0].cases[0]).starts_with("cpu_sum thread w=2"));
  r.filter = "^cpu_sum (thread|process) w=1";
  REQUIRE(make_plan(r).case_count() == all / 2);
  r.filter = "no such case";
  REQUIRE_THROWS_WITH(make_plan(r),
                      Catch::Contains("matches none of the") && Catch::Contains("'cpu_sum "));
  r.filter = "(unclosed";
  REQUIRE_THROWS_WITH(make_plan(r), Catch::Contains("not an extended regular expression"));
}

TEST_CASE("Python's names are aliases of the values that measure them", "[plan]") {
  RunRequest r = request({"ipc_pingpong"});
  r.params = {{"channel", {"Queue", "Pipe"}}, {"size", {"64"}}, {"placement", {"none"}}};
  std::set<std::string> channels;
  for (const auto& g : make_plan(r).groups) channels.insert(g.params.get("channel"));
  REQUIRE(channels == std::set<std::string>{"shm_queue", "unix_stream"});
  r = request({"lock_contention"});
  r.params = {{"lock", {"Lock"}}};
  REQUIRE(make_plan(r).groups.at(0).params.get("lock") == "posix_sem");
  r = request({"proxy_store"});
  r.params = {{"store", {"Manager", "Value"}}};
  REQUIRE(make_plan(r).groups.size() == 2);
  // An alias of another parameter is no value here.
  r = request({"lock_contention"});
  r.params = {{"lock", {"Queue"}}};
  REQUIRE_THROWS_WITH(make_plan(r), Catch::Contains("'Queue' is not allowed"));
  // Every alias the table shows names a value its parameter has.
  for (const auto& n : python_names()) REQUIRE_FALSE(n.measure.empty());
}

TEST_CASE("a suite expands to its workloads and a --param applies where it belongs", "[plan]") {
  RunRequest r = request({"default"});
  r.params = {{"ms", {"5"}}};
  const RunPlan plan = make_plan(r);
  std::set<std::string> names;
  for (const auto& g : plan.groups) {
    names.insert(std::string(g.workload->name()));
    if (g.workload->name() == "sleep") REQUIRE(g.params.get("ms") == "5");
  }
  REQUIRE(names == std::set<std::string>{"cpu_sum", "mem_sum", "sleep", "spawn"});
}

TEST_CASE("bad requests are rejected before anything runs", "[plan]") {
  auto fails_with = [](const RunRequest& r, const std::string& text) {
    INFO(text);
    REQUIRE_THROWS_WITH(make_plan(r), Catch::Contains(text));
  };
  fails_with(request({"nope"}), "unknown workload or suite 'nope'");
  fails_with(request({"cpu_summ"}), "did you mean 'cpu_sum'?");
  REQUIRE_NOTHROW(make_plan(request({"ipc"})));
  REQUIRE_THROWS_WITH(select_cases({"sleep", "ms=2"}, "", "", {}),
                      Catch::Contains("looks like a parameter: give it as --param ms=2"));
  fails_with(request({}), "nothing to run");
  RunRequest r = request({"cpu_sum"});
  r.backends = {"fiber"};
  fails_with(r, "unknown backend 'fiber'");
  r.backends = {"thraed"};
  fails_with(r, "did you mean 'thread'?");
  r = request({"cpu_sum"});
  r.params = {{"size", {"1"}}};
  fails_with(r, "unknown parameter 'size'");
  r.params = {{"scalin", {"weak"}}};
  fails_with(r, "did you mean 'scaling'?");
  r = request({"cpu_sum"});
  r.params = {{"n", {"0"}}};
  fails_with(r, "out of range");
  r = request({"cpu_sum"});
  r.reps = 0;
  fails_with(r, "--reps");
  r = request({"cpu_sum"});
  r.warmup = -1;
  fails_with(r, "--warmup");
  r = request({"cpu_sum"});
  r.timeout_s = 0;
  fails_with(r, "--timeout");
  r = request({"cpu_sum"});
  r.pins = {"diagonal"};
  fails_with(r, "--pin");
}

TEST_CASE("pin policies", "[pin]") {
  const auto allowed = allowed_cpus();
  REQUIRE_FALSE(PinPolicy::parse("none").pins());
  REQUIRE(PinPolicy::parse("none").assign(4).empty());
  const auto compact = PinPolicy::parse("compact").assign(5);
  REQUIRE(compact.size() == 5);
  const auto spread = PinPolicy::parse("spread").assign(static_cast<int>(allowed.size()));
  REQUIRE(std::set<int>(spread.begin(), spread.end()).size() ==
          allowed.size());  // one worker per CPU
  const std::string first = std::to_string(allowed.front());
  REQUIRE(PinPolicy::parse(first + "+" + first).assign(3) == std::vector<int>(3, allowed.front()));
  REQUIRE_THROWS_WITH(PinPolicy::parse("4096"), Catch::Contains("not available"));
  REQUIRE_THROWS_AS(PinPolicy::parse("0+"), BadInput);
  REQUIRE_THROWS_AS(PinPolicy::parse("3-1"), BadInput);
  REQUIRE_THROWS_AS(PinPolicy::parse("x"), BadInput);
  REQUIRE(format_cpu_list({0, 1, 2, 5, 7, 8}) == "0-2,5,7-8");
}

TEST_CASE("a selection of more cases than a run may have is refused before any is made", "[plan]") {
  // 1000 worker counts x 1000 values of n x 1000 of extra_pct x 2 backends: 2e9 cases, which
  // once grew to 22 GB before anything was said.
  auto r = request({"cpu_sum"});
  r.workers = parse_workers("1-1000");
  r.params = {parse_param_option("n=1-1000"), parse_param_option("extra_pct=0-999")};
  REQUIRE_THROWS_WITH(make_plan(r), Catch::Contains("2000000000 cases") &&
                                        Catch::Contains(std::to_string(kMaxCases)));
  // At the limit it is made, and case_count says so.
  auto at_limit = request({"cpu_sum"});
  at_limit.backends = {"thread"};
  at_limit.workers = parse_workers("1-100");
  at_limit.params = {parse_param_option("n=1-1000")};
  REQUIRE(make_plan(at_limit).case_count() == kMaxCases);
}

TEST_CASE("a signal while the cases are made stops making them", "[plan]") {
  auto r = request({"cpu_sum"});
  r.backends = {"thread"};
  r.params = {parse_param_option("n=1-1000")};
  set_interrupt_for_testing(SIGINT);
  REQUIRE_THROWS_AS(make_plan(r), Interrupted);
  set_interrupt_for_testing(0);
  REQUIRE(make_plan(r).case_count() > 0);
}
