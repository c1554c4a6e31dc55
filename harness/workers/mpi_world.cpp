#include "mpi_world.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "clock.hpp"
#include "interrupt.hpp"
#include "topology.hpp"

#if PARBENCH_HAVE_MPI
#include <mpi.h>
#endif

namespace parbench::mpi {

bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

std::string release_launcher_binding() {
  cpu_set_t own, launcher;
  CPU_ZERO(&own);
  CPU_ZERO(&launcher);
  if (sched_getaffinity(0, sizeof own, &own) != 0 ||
      sched_getaffinity(getppid(), sizeof launcher, &launcher) != 0)
    return {};
  cpu_set_t both;
  CPU_AND(&both, &own, &launcher);
  if (CPU_EQUAL(&own, &launcher) || !CPU_EQUAL(&both, &own)) return {};  // not narrowed by it
  const auto list = [](const cpu_set_t& set) {
    std::vector<int> cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
    return format_cpu_list(cpus);
  };
  const std::string was = list(own);
  if (sched_setaffinity(0, sizeof launcher, &launcher) != 0) return {};
  return fmt::format(
      "the launcher bound this rank to CPUs {}; parbench placed it on {} (its own "
      "--pin decides each worker's CPU)",
      was, list(launcher));
}

#if PARBENCH_HAVE_MPI
namespace {

bool g_initialized = false;
bool g_finalized = false;
int g_rank = 0;
int g_size = 1;
std::vector<std::string> g_hosts;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(
      fmt::format("{}: {}", what, std::string(text, static_cast<std::size_t>(len))));
}

void require_world() {
  if (!g_initialized || g_finalized) throw std::logic_error("MPI is not initialised");
}

int count_of(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(INT32_MAX))
    throw std::runtime_error(fmt::format("MPI message of {} bytes is over 2 GiB", bytes));
  return static_cast<int>(bytes);
}

}  // namespace

bool compiled() { return true; }

std::string unavailable_reason() {
  if (!g_initialized)
    return "the mpi backend runs under mpirun: mpirun -np N parbench run ... --backend mpi";
  return {};
}

void init(int* argc, char*** argv) {
  if (g_initialized) return;
  int provided = 0;
  // MPI_THREAD_SINGLE: only the main thread makes MPI calls (the watchdog's MPI_Abort ends a job
  // whose main thread is stuck; no level makes that call safe). Open MPI 4.1 takes its thread-safe
  // paths (mutexes, ompi_sync_wait_mt) from MPI_THREAD_FUNNELED up: the OSU-style loop itself,
  // initialised FUNNELED, measured 0.16 us for an 8-byte half round trip against 0.13-0.15 us
  // initialised SINGLE; parbench's mpi channel paid the same.
  check(MPI_Init_thread(argc, argv, MPI_THREAD_SINGLE, &provided), "MPI_Init_thread");
  g_initialized = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &g_rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &g_size), "MPI_Comm_size");
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  check(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
  std::vector<char> all(static_cast<std::size_t>(g_size) * MPI_MAX_PROCESSOR_NAME);
  check(MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME,
                      MPI_CHAR, MPI_COMM_WORLD),
        "MPI_Allgather(host names)");
  for (int r = 0; r < g_size; ++r)
    g_hosts.emplace_back(&all[static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME]);
}

bool initialized() { return g_initialized && !g_finalized; }

void finalize() {
  if (g_initialized && !g_finalized) {
    g_finalized = true;
    MPI_Finalize();
  }
}

void abort(int code) {
  if (initialized()) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

int rank() { return g_rank; }
int size() { return g_size; }
const std::vector<std::string>& hosts() { return g_hosts; }

std::string describe() {
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(version, &len);
  std::string v(version, static_cast<std::size_t>(len));
  if (const auto comma = v.find(','); comma != std::string::npos) v.resize(comma);
  std::vector<std::string> distinct;
  for (const auto& h : g_hosts) {
    if (std::find(distinct.begin(), distinct.end(), h) == distinct.end()) distinct.push_back(h);
  }
  return fmt::format("{}, {} ranks on {}", v, g_size, fmt::join(distinct, ", "));
}

void barrier() {
  require_world();
  check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void broadcast(std::span<std::byte> data, int root) {
  require_world();
  check(MPI_Bcast(data.data(), count_of(data.size()), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
}

namespace {

void wait_yielding(MPI_Request& request, MPI_Status* status, const char* what) {
  for (int done = 0;;) {
    check(MPI_Test(&request, &done, status), what);
    if (done != 0) return;
    sched_yield();
  }
}

void check_count(const MPI_Status& status, int source, std::size_t expected) {
  int got = 0;
  MPI_Get_count(&status, MPI_BYTE, &got);
  if (static_cast<std::size_t>(got) != expected) {
    throw std::runtime_error(
        fmt::format("MPI_Recv from rank {}: {} bytes, expected {}", source, got, expected));
  }
}

}  // namespace

void send(int dest, int tag, std::span<const std::byte> data) {
  check(MPI_Send(data.data(), count_of(data.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD),
        "MPI_Send");
}

void recv(int source, int tag, std::span<std::byte> data) {
  MPI_Status status;
  check(
      MPI_Recv(data.data(), count_of(data.size()), MPI_BYTE, source, tag, MPI_COMM_WORLD, &status),
      "MPI_Recv");
  check_count(status, source, data.size());
}

void send_yielding(int dest, int tag, std::span<const std::byte> data) {
  MPI_Request request = MPI_REQUEST_NULL;
  check(
      MPI_Isend(data.data(), count_of(data.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD, &request),
      "MPI_Isend");
  wait_yielding(request, MPI_STATUS_IGNORE, "MPI_Test(send)");
}

void recv_yielding(int source, int tag, std::span<std::byte> data) {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Irecv(data.data(), count_of(data.size()), MPI_BYTE, source, tag, MPI_COMM_WORLD,
                  &request),
        "MPI_Irecv");
  MPI_Status status;
  wait_yielding(request, &status, "MPI_Test(recv)");
  check_count(status, source, data.size());
}

namespace {

void wait_all(std::vector<MPI_Request>& requests, std::vector<MPI_Status>& statuses, bool yielding,
              const char* what) {
  if (!yielding) {
    check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), statuses.data()), what);
    return;
  }
  for (int done = 0;;) {
    check(MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done, statuses.data()),
          what);
    if (done != 0) return;
    sched_yield();
  }
}

// The requests and statuses of a window, kept between windows: no allocation while timed.
struct WindowState {
  std::vector<MPI_Request> requests;
  std::vector<MPI_Status> statuses;
  std::vector<int> indices;  // of the requests MPI_Waitsome/Testsome completed
};

WindowState& window_state(std::size_t n) {
  static WindowState state;
  state.requests.assign(n, MPI_REQUEST_NULL);
  state.statuses.resize(n);
  state.indices.resize(n);
  return state;
}

}  // namespace

void send_window(int dest, int tag, std::span<const std::byte> data, std::size_t size,
                 bool yielding) {
  WindowState& window = window_state(data.size() / size);
  for (std::size_t i = 0; i < window.requests.size(); ++i) {
    check(MPI_Isend(data.data() + i * size, count_of(size), MPI_BYTE, dest, tag, MPI_COMM_WORLD,
                    &window.requests[i]),
          "MPI_Isend");
  }
  wait_all(window.requests, window.statuses, yielding, "MPI_Waitall(send)");
}

void recv_window(int source, int tag, std::span<std::byte> data, std::size_t size, bool yielding,
                 const std::function<void(std::size_t)>& arrived) {
  auto& [requests, statuses, indices] = window_state(data.size() / size);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    check(MPI_Irecv(data.data() + i * size, count_of(size), MPI_BYTE, source, tag, MPI_COMM_WORLD,
                    &requests[i]),
          "MPI_Irecv");
  }
  const auto n = static_cast<int>(requests.size());
  for (std::size_t done = 0; done < requests.size();) {
    int completed = 0;
    if (yielding) {
      check(MPI_Testsome(n, requests.data(), &completed, indices.data(), statuses.data()),
            "MPI_Testsome(recv)");
      if (completed == 0) {
        sched_yield();
        continue;
      }
    } else {
      check(MPI_Waitsome(n, requests.data(), &completed, indices.data(), statuses.data()),
            "MPI_Waitsome(recv)");
    }
    for (int k = 0; k < completed; ++k) {
      check_count(statuses[static_cast<std::size_t>(k)], source, size);
      arrived(static_cast<std::size_t>(indices[static_cast<std::size_t>(k)]));
    }
    done += static_cast<std::size_t>(completed);
  }
}

std::optional<std::vector<std::byte>> recv_until(int source, int tag, std::int64_t deadline_ns) {
  require_world();
  // Each poll wakes this CPU; on a VM waking a halted vCPU costs tens of microseconds, so polling
  // every 200 us cost a waiting rank ~20% of a CPU that the thread and process cases running
  // meanwhile needed. The pause grows to 5 ms: a wait's end is late by at most that.
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    int ready = 0;
    MPI_Status status;
    check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &ready, &status), "MPI_Iprobe");
    if (ready != 0) {
      int bytes = 0;
      MPI_Get_count(&status, MPI_BYTE, &bytes);
      std::vector<std::byte> data(static_cast<std::size_t>(bytes));
      check(MPI_Recv(data.data(), bytes, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Recv");
      return data;
    }
    if (interrupt_requested()) throw Interrupted();
    if (now_ns() >= deadline_ns) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
}

#else  // built without MPI

namespace {
[[noreturn]] void no_mpi() {
  throw std::logic_error("this parbench was built without MPI (libopenmpi-dev was not found)");
}
}  // namespace

bool compiled() { return false; }
std::string unavailable_reason() {
  return "this parbench was built without MPI: install libopenmpi-dev and openmpi-bin, then "
         "rebuild";
}
void init(int* /*argc*/, char*** /*argv*/) { no_mpi(); }
bool initialized() { return false; }
void finalize() {}
void abort(int code) { std::_Exit(code); }
int rank() { return 0; }
int size() { return 1; }
const std::vector<std::string>& hosts() {
  static const std::vector<std::string> none;
  return none;
}
std::string describe() { return "not built with MPI"; }
void barrier() { no_mpi(); }
void broadcast(std::span<std::byte> /*data*/, int /*root*/) { no_mpi(); }
void send(int /*dest*/, int /*tag*/, std::span<const std::byte> /*data*/) { no_mpi(); }
void recv(int /*source*/, int /*tag*/, std::span<std::byte> /*data*/) { no_mpi(); }
void send_yielding(int /*dest*/, int /*tag*/, std::span<const std::byte> /*data*/) { no_mpi(); }
void recv_yielding(int /*source*/, int /*tag*/, std::span<std::byte> /*data*/) { no_mpi(); }
void send_window(int /*dest*/, int /*tag*/, std::span<const std::byte> /*data*/,
                 std::size_t /*size*/, bool /*yielding*/) {
  no_mpi();
}
void recv_window(int /*source*/, int /*tag*/, std::span<std::byte> /*data*/, std::size_t /*size*/,
                 bool /*yielding*/, const std::function<void(std::size_t)>& /*arrived*/) {
  no_mpi();
}
std::optional<std::vector<std::byte>> recv_until(int /*source*/, int /*tag*/,
                                                 std::int64_t /*deadline_ns*/) {
  no_mpi();
}

#endif

}  // namespace parbench::mpi
