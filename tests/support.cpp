#include "support.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "channels/channel.hpp"
#include "registry.hpp"
#include "runner.hpp"

namespace fs = std::filesystem;

namespace parbench::test {

std::vector<int> child_pids() {
  std::vector<int> out;
  const pid_t me = getpid();
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so parse from the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == me) out.push_back(std::stoi(name));
  }
  return out;
}

std::set<std::string> ipc_entries() {
  std::set<std::string> out;
  for (const char* dir : {"/dev/shm", "/dev/mqueue"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.insert(e.path().string());
  }
  return out;
}

std::set<std::string> ipc_entries_settled(const std::set<std::string>& before) {
  auto now = ipc_entries();
  for (int i = 0; i < 100 && now != before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    now = ipc_entries();
  }
  return now;
}

std::set<std::string> temp_entries() {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path())) {
    if (e.path().filename().string().starts_with("parbench.")) out.insert(e.path().string());
  }
  return out;
}

namespace {
std::vector<std::pair<std::string, std::string>>& skips() {
  static std::vector<std::pair<std::string, std::string>> list;
  return list;
}
}  // namespace

const std::vector<std::pair<std::string, std::string>>& skipped_tests() { return skips(); }

void exit_if_skipping(const std::string& reason) {
  const char* code = std::getenv("PARBENCH_SKIP_EXIT");
  if (code == nullptr || *code == '\0') {
    skips().emplace_back(Catch::getResultCapture().getCurrentTestName(), reason);
    return;
  }
  std::fprintf(stderr, "skipped: %s\n", reason.c_str());
  std::fflush(nullptr);
  // _Exit: no atexit handlers (a sanitizer's leak check of the objects the test still holds).
  std::_Exit(std::atoi(code));
}

WorkloadRoles registered_roles() {
  WorkloadRoles roles;
  for (const auto& w : all_workloads()) roles.add(std::string(w->name()), w->report_role());
  for (const auto& c : channels_across_hosts()) roles.add_channel_across_hosts(c);
  return roles;
}

void write_small_report(const std::string& prefix) {
  const auto e = run_parbench({"run", "sleep", "-b", "thread", "-w", "1", "-r", "2", "--warmup",
                               "0", "-p", "ms=1", "-q", "--no-limits", "-o", prefix});
  if (e.status != 0) throw std::runtime_error("parbench run for a small report failed: " + e.err);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool have_program(const std::string& program) {
  return run_program({"/bin/sh", "-c", "command -v " + program}).status == 0;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

Exit run_parbench(const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<std::string> argv = {PARBENCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, cwd);
}

Exit run_program(const std::vector<std::string>& argv_in, const std::string& cwd) {
  TempDir capture;
  const std::string out_path = capture.path() + "/out", err_path = capture.path() + "/err";
  std::vector<std::string> argv_s = argv_in;
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("posix_spawn parbench failed");
  int status = 0;
  waitpid(pid, &status, 0);
  Exit e;
  e.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  e.out = slurp(out_path);
  e.err = slurp(err_path);
  return e;
}

int start_parbench(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv_s = {PARBENCH_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s(env);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("posix_spawn parbench failed");
  return pid;
}

int wait_exit(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "parbench-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::vector<std::string> TempDir::files() const {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(path_)) out.push_back(e.path().string());
  return out;
}

std::vector<Row> run_request(const RunRequest& request) {
  MemorySink sink;
  execute_plan(make_plan(request), sink);
  return sink.rows;
}

}  // namespace parbench::test
