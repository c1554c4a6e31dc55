#include "python_bridge.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bad_input.hpp"
#include "build_info.hpp"
#include "child_process.hpp"
#include "clock.hpp"
#include "interference.hpp"
#include "interrupt.hpp"
#include "scripts_dir.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace parbench {
namespace {

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

std::string tail(const std::string& text, std::size_t max_chars) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  if (t.size() > max_chars) t = "..." + t.substr(t.size() - max_chars);
  return t;
}

std::int64_t get_int(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<std::int64_t>() : 0;
}

// The script's JSON answer into the harness's result; throws nlohmann's exceptions on a bad shape.
void read_answer(const nlohmann::json& j, PythonRep& rep) {
  if (j.contains("unsupported")) {
    rep.unsupported = j["unsupported"].get<std::string>();
    return;
  }
  if (j.contains("error")) {
    rep.run.error = j["error"].get<std::string>();
    return;
  }
  RunResult& r = rep.run;
  r.wall_ns = get_int(j, "wall_ns");
  r.launch_ns = get_int(j, "launch_ns");
  r.release_ns = get_int(j, "release_ns");
  r.startup_ns = get_int(j, "startup_ns");
  r.start_skew_ns = get_int(j, "start_skew_ns");
  for (const auto& w : j.at("workers")) {
    WorkerTiming t;
    t.ready_ns = get_int(w, "ready_ns");
    t.pass_ns = get_int(w, "pass_ns");
    t.end_ns = get_int(w, "end_ns");
    t.user_ns = get_int(w, "user_ns");
    t.sys_ns = get_int(w, "sys_ns");
    t.vol_ctx_switches = get_int(w, "vol_ctx_switches");
    t.invol_ctx_switches = get_int(w, "invol_ctx_switches");
    t.minor_faults = get_int(w, "minor_faults");
    t.major_faults = get_int(w, "major_faults");
    if (w.contains("max_rss_kb")) t.max_rss_kb = get_int(w, "max_rss_kb");
    if (w.contains("run_delay_ns")) t.run_delay_ns = get_int(w, "run_delay_ns");
    add_worker_totals(r, t);
    r.workers.push_back(t);
  }
  r.run_delay_ns = run_delay_total(r.workers);
  rep.work_units = j.at("work_units").get<double>();
  for (const auto& [name, value] : j.at("metrics").items()) {
    if (value.is_number()) rep.metrics.emplace_back(name, value.get<double>());
  }
  if (r.wall_ns <= 0) r.error = "the Python run reported no wall time";
}

}  // namespace

namespace {

std::optional<std::string> find_on_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    if (!dir.empty() && executable(fmt::format("{}/{}", dir, name)))
      return fmt::format("{}/{}", dir, name);
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> python_interpreter() {
  if (const char* p = std::getenv("PARBENCH_PYTHON"); p != nullptr && *p != '\0') {
    return executable(p) ? std::optional<std::string>(p) : std::nullopt;
  }
  return find_on_path("python3");
}

std::optional<std::string> resolve_python(std::string_view choice) {
  if (choice.empty() || choice == "default") return python_interpreter();
  if (choice.find('/') != std::string_view::npos) {
    const std::string path(choice);
    return executable(path) ? std::optional<std::string>(path) : std::nullopt;
  }
  return find_on_path(choice);
}

std::string python_script() {
  if (const char* p = std::getenv("PARBENCH_PY_SCRIPT"); p != nullptr && *p != '\0') return p;
  return scripts_dir() + "/py/parbench_py.py";
}

namespace {

std::vector<std::string> script_argv(const std::string& python, const std::string& script,
                                     const PythonRepSpec& spec) {
  std::vector<std::string> argv = {python,       script,
                                   "--mode",     std::string(spec.mode),
                                   "--workload", std::string(spec.workload),
                                   "--workers",  std::to_string(spec.workers)};
  if (!spec.cpus.empty())
    argv.insert(argv.end(), {"--cpus", fmt::format("{}", fmt::join(spec.cpus, ","))});
  for (const auto& [k, v] : spec.params)
    argv.insert(argv.end(), {"--param", fmt::format("{}={}", k, v)});
  return argv;
}

// The interpreter, started in a process group of its own, its stdout and stderr in pipes.
struct Interpreter {
  ChildProcess child;
  UniqueFd out, err;

  void kill_group() const { kill(-child.pid(), SIGKILL); }
};

Interpreter start_interpreter(std::vector<std::string> argv) {
  std::array<int, 2> out_fds{}, err_fds{};
  check_sys(pipe2(out_fds.data(), O_CLOEXEC), "pipe2");
  UniqueFd out_r(out_fds[0]), out_w(out_fds[1]);
  check_sys(pipe2(err_fds.data(), O_CLOEXEC), "pipe2");
  UniqueFd err_r(err_fds[0]), err_w(err_fds[1]);
  ChildProcess child = ChildProcess::fork_and_run([&] {
    setpgid(0, 0);
    dup2(out_w.get(), STDOUT_FILENO);
    dup2(err_w.get(), STDERR_FILENO);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    return 127;
  });
  // Also here: whichever runs first, the group exists before anyone kills it.
  setpgid(child.pid(), child.pid());
  return {std::move(child), std::move(out_r), std::move(err_r)};
}

// Reads the interpreter's stdout and stderr until both close or the deadline passes; returns
// false on a timeout. Throws Interrupted (the group killed) on Ctrl-C.
bool collect(Interpreter& py, std::int64_t deadline, std::string& out, std::string& err) {
  bool out_open = true, err_open = true;
  std::array<char, 4096> buf{};
  while (out_open || err_open) {
    if (interrupt_requested()) {
      py.kill_group();
      py.child.kill_and_reap();
      throw Interrupted();
    }
    const std::int64_t left = deadline - now_ns();
    if (left <= 0) return false;
    std::array<pollfd, 2> fds = {pollfd{out_open ? py.out.get() : -1, POLLIN, 0},
                                 pollfd{err_open ? py.err.get() : -1, POLLIN, 0}};
    const int n =
        poll(fds.data(), 2, static_cast<int>(std::min<std::int64_t>(left / 1'000'000 + 1, 100)));
    if (n < 0 && errno != EINTR) throw_sys("poll");
    for (std::size_t i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = read(fds[i].fd, buf.data(), buf.size());
      if (got > 0) {
        (i == 0 ? out : err).append(buf.data(), static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  return true;
}

std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

std::string no_interpreter(std::string_view choice) {
  if (choice.empty() || choice == "default")
    return "no python3 on PATH (or PARBENCH_PYTHON is not executable)";
  return fmt::format(
      "python={}: no such interpreter (neither an executable path nor a name on PATH)", choice);
}

}  // namespace

PythonRep run_python_rep(const PythonRepSpec& spec) {
  PythonRep rep;
  const auto python = resolve_python(spec.python);
  if (!python) {
    rep.unsupported = no_interpreter(spec.python);
    return rep;
  }
  const std::string script = python_script();
  if (!std::filesystem::exists(script)) {
    rep.unsupported = fmt::format("the Python versions are missing: no {}", script);
    return rep;
  }
  std::vector<std::string> argv = script_argv(*python, script, spec);
  // The busy loop's calibration, measured once per interpreter (describe_python, cached) rather
  // than in every repetition's interpreter.
  try {
    const nlohmann::json d = describe_python(spec.python, {});
    if (d.contains("busy_ns_per_iteration") && d["busy_ns_per_iteration"].is_number()) {
      argv.insert(argv.end(), {"--busy-ns-per-iteration",
                               fmt::format("{}", d["busy_ns_per_iteration"].get<double>())});
    }
  } catch (const BadInput&) {
    // The repetition's own interpreter then says what is wrong, or calibrates for itself.
  }
  const auto stat_before = read_cpu_times();
  const std::int64_t cpu_before = reaped_children_cpu_ns();
  Interpreter py = start_interpreter(std::move(argv));
  std::string out, err;
  const bool finished = collect(py, now_ns() + spec.timeout.count(), out, err);
  py.kill_group();  // a timed-out run, or workers the interpreter left behind
  const int status = finished ? py.child.reap() : py.child.kill_and_reap();
  const auto stat_after = read_cpu_times();
  if (!finished) {
    rep.run.error = fmt::format("timed out after {:.3g} s; the Python process group was killed",
                                static_cast<double>(spec.timeout.count()) * 1e-9);
    return rep;
  }
  try {
    read_answer(nlohmann::json::parse(last_line(out)), rep);
  } catch (const std::exception&) {
    rep.run.error =
        fmt::format("the Python run {} without an answer{}{}", describe_wait_status(status),
                    err.empty() ? "" : ": ", tail(err, 400));
    return rep;
  }
  if (rep.run.ok() && rep.unsupported.empty()) {
    if (auto noise = interference_between(stat_before, stat_after,
                                          reaped_children_cpu_ns() - cpu_before, clock_tick_ns())) {
      rep.run.steal_pct = noise->steal_pct;
      rep.run.other_load_pct = noise->other_load_pct;
    }
  }
  return rep;
}

nlohmann::json describe_python(std::string_view choice,
                               const std::vector<std::pair<std::string, std::string>>& params) {
  // What an interpreter is does not change within a run: pyfunc's up-front check and meta.json's
  // run.python ask once between them. A target is checked every time it is asked about.
  static std::map<std::string, nlohmann::json, std::less<>> described;
  if (const auto it = described.find(choice); params.empty() && it != described.end())
    return it->second;
  const auto python = resolve_python(choice);
  if (!python) throw BadInput(no_interpreter(choice));
  const std::string script = python_script();
  if (!std::filesystem::exists(script))
    throw BadInput(fmt::format("the Python harness is missing: no {}", script));
  std::vector<std::string> argv = {*python, script, "--describe"};
  for (const auto& [k, v] : params)
    argv.insert(argv.end(), {"--param", fmt::format("{}={}", k, v)});
  Interpreter py = start_interpreter(std::move(argv));
  std::string out, err;
  constexpr std::int64_t kDescribeTimeoutNs = 60'000'000'000;  // importing a large package
  const bool finished = collect(py, now_ns() + kDescribeTimeoutNs, out, err);
  py.kill_group();
  const int status = finished ? py.child.reap() : py.child.kill_and_reap();
  if (!finished) {
    throw BadInput(
        fmt::format("{}: importing and checking the target took more than 60 s", *python));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(last_line(out));
  } catch (const std::exception&) {
    throw BadInput(fmt::format("{} cannot run parbench's Python harness: it {}{}{}", *python,
                               describe_wait_status(status), err.empty() ? "" : ": ",
                               tail(err, 400)));
  }
  if (!j.is_object()) throw BadInput(fmt::format("{}: the harness answered {}", *python, j.dump()));
  if (j.contains("bad")) throw BadInput(j["bad"].get<std::string>());
  j["asked"] = choice.empty() ? "default" : std::string(choice);
  described[std::string(choice)] = j;
  return j;
}

}  // namespace parbench
