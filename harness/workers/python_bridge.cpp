#include "python_bridge.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "build_info.hpp"
#include "child_process.hpp"
#include "clock.hpp"
#include "interference.hpp"
#include "interrupt.hpp"
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
    add_worker_totals(r, t);
    r.workers.push_back(t);
  }
  rep.work_units = j.at("work_units").get<double>();
  for (const auto& [name, value] : j.at("metrics").items()) {
    if (value.is_number()) rep.metrics.emplace_back(name, value.get<double>());
  }
  if (r.wall_ns <= 0) r.error = "the Python run reported no wall time";
}

}  // namespace

std::optional<std::string> python_interpreter() {
  if (const char* p = std::getenv("PARBENCH_PYTHON"); p != nullptr && *p != '\0') {
    return executable(p) ? std::optional<std::string>(p) : std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    if (!dir.empty() && executable(dir + "/python3")) return dir + "/python3";
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

std::string python_script() {
  if (const char* p = std::getenv("PARBENCH_PY_SCRIPT"); p != nullptr && *p != '\0') return p;
  return std::string(build_info::scripts_dir) + "/py/parbench_py.py";
}

PythonRep run_python_rep(const PythonRepSpec& spec) {
  PythonRep rep;
  const auto python = python_interpreter();
  if (!python) {
    rep.unsupported = "no python3 on PATH (or PARBENCH_PYTHON is not executable)";
    return rep;
  }
  const std::string script = python_script();
  if (!std::filesystem::exists(script)) {
    rep.unsupported = fmt::format("the Python versions are missing: no {}", script);
    return rep;
  }
  std::vector<std::string> argv = {*python,      script,
                                   "--mode",     std::string(spec.mode),
                                   "--workload", std::string(spec.workload),
                                   "--workers",  std::to_string(spec.workers)};
  if (!spec.cpus.empty())
    argv.insert(argv.end(), {"--cpus", fmt::format("{}", fmt::join(spec.cpus, ","))});
  for (const auto& [k, v] : spec.params)
    argv.insert(argv.end(), {"--param", fmt::format("{}={}", k, v)});

  int out_fds[2], err_fds[2];
  check_sys(pipe2(out_fds, O_CLOEXEC), "pipe2");
  UniqueFd out_r(out_fds[0]), out_w(out_fds[1]);
  check_sys(pipe2(err_fds, O_CLOEXEC), "pipe2");
  UniqueFd err_r(err_fds[0]), err_w(err_fds[1]);

  const auto stat_before = read_cpu_times();
  const std::int64_t cpu_before = reaped_children_cpu_ns();
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
  const pid_t group = child.pid();
  setpgid(group, group);  // also here: whichever runs first, the group exists before we kill it
  out_w.reset();
  err_w.reset();
  const auto kill_group = [group] { kill(-group, SIGKILL); };

  std::string out, err;
  const std::int64_t deadline = now_ns() + spec.timeout.count();
  bool out_open = true, err_open = true, timed_out = false;
  char buf[4096];
  while (out_open || err_open) {
    if (interrupt_requested()) {
      kill_group();
      child.kill_and_reap();
      throw Interrupted();
    }
    const std::int64_t left = deadline - now_ns();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                     {err_open ? err_r.get() : -1, POLLIN, 0}};
    const int n = poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left / 1'000'000 + 1, 100)));
    if (n < 0 && errno != EINTR) throw_sys("poll");
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? out : err).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  kill_group();  // a timed-out run, or workers the interpreter left behind
  const int status = timed_out ? child.kill_and_reap() : child.reap();
  const auto stat_after = read_cpu_times();
  if (timed_out) {
    rep.run.error = fmt::format("timed out after {:.3g} s; the Python process group was killed",
                                static_cast<double>(spec.timeout.count()) * 1e-9);
    return rep;
  }
  const auto last_line = [&out] {
    std::string t = out;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
  }();
  try {
    read_answer(nlohmann::json::parse(last_line), rep);
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

}  // namespace parbench
