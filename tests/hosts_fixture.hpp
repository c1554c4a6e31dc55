// What the tests of hosts made of namespaces share (scripts/hosts_local.sh): the script, where the
// hosts keep their state and write reports, their environment for mpirun, and what `stop` must
// leave behind (nothing).
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rows_csv.hpp"
#include "support.hpp"

namespace parbench::test {

inline const std::string kHostsScript =
    std::string(PARBENCH_SOURCE_DIR) + "/scripts/hosts_local.sh";

// Where the hosts keep their state and write reports: beside the binary, since each host has a
// /tmp of its own.
inline std::filesystem::path hosts_work_dir() {
  return std::filesystem::path(PARBENCH_BINARY).parent_path() / "hosts-test";
}

inline Exit hosts(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kHostsScript};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

// The hosts' environment for mpirun (hosts_local.sh env), set in this process for what it starts.
inline void export_hosts_env() {
  const auto e = hosts({"env"});
  REQUIRE(e.status == 0);
  std::istringstream lines(e.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line.substr(line.find(' ') + 1));
    for (std::string word; words >> word;) {
      const auto eq = word.find('=');
      std::string value = word.substr(eq + 1);
      if (!value.empty() && value.front() == '"') {  // the agent: a path and a word, quoted
        std::string more;
        while (value.back() != '"' && words >> more) value += " " + more;
        value = value.substr(1, value.size() - 2);
      }
      setenv(word.substr(0, eq).c_str(), value.c_str(), 1);
    }
  }
  // Open MPI keeps its allocations until exit: no leak report from a sanitized parbench.
  setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
}

// Two hosts started afresh (whatever a killed run left is stopped first); the reason they cannot
// be made here, or "".
inline std::string start_two_hosts() {
  setenv("PARBENCH_HOSTS_DIR", (hosts_work_dir() / "state").c_str(), 1);
  (void)hosts({"stop"});
  std::filesystem::remove_all(hosts_work_dir());
  const auto started = hosts({"start", "2"});
  if (started.status == 3) return started.err;
  INFO(started.out << started.err);
  REQUIRE(started.status == 0);
  return "";
}

// Lines in a file (0 if it is not there yet), and a report's rows.
inline std::size_t lines_in(const std::string& path) {
  if (!std::filesystem::exists(path)) return 0;
  const std::string text = slurp(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

inline std::vector<Row> rows_of(const std::filesystem::path& prefix) {
  ReportSchema schema;
  return read_rows(prefix.string() + ".csv", &schema);
}

// The network namespaces of the hosts and the switch, read from their holders' PIDs.
inline std::set<std::string> host_namespaces() {
  namespace fs = std::filesystem;
  std::set<std::string> out;
  for (const auto& f : fs::directory_iterator(hosts_work_dir() / "state")) {
    if (f.path().extension() != ".pid") continue;
    const std::string pid = slurp(f.path().string());
    std::error_code ec;
    const auto ns = fs::read_symlink("/proc/" + pid.substr(0, pid.find('\n')) + "/ns/net", ec);
    if (!ec) out.insert(ns.string());
  }
  return out;
}

// What the hosts leave behind if stop misses something: a process in one of their namespaces, an
// interface named after them in this one, their state.
inline std::string host_leftovers(const std::set<std::string>& namespaces) {
  namespace fs = std::filesystem;
  std::string out;
  for (const auto& p : fs::directory_iterator("/proc")) {
    const std::string name = p.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    const auto ns = fs::read_symlink(p.path() / "ns/net", ec);
    if (!ec && namespaces.contains(ns.string()))
      out += fmt::format("process {} in a host's namespace; ", name);
  }
  const auto links = run_program({"/usr/sbin/ip", "-o", "link"});
  if (links.out.find("pbnode") != std::string::npos) out += "an interface named pbnode*; ";
  if (fs::exists(hosts_work_dir() / "state")) out += "the state directory; ";
  return out;
}

}  // namespace parbench::test
