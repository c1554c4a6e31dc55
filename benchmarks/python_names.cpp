#include "python_names.hpp"

#include <array>

namespace parbench {
namespace {

struct Alias {
  std::string_view param, word, value;
};

// Each word names one value of one parameter on every backend.
constexpr std::array<Alias, 9> kAliases = {{
    {"channel", "Queue", "shm_queue"},        // multiprocessing.Queue: a pipe and a feeder thread
    {"channel", "Pipe", "unix_stream"},       // multiprocessing.Pipe(): a socketpair on Linux
    {"lock", "Lock", "posix_sem"},            // multiprocessing.Lock is a SemLock (sem_t)
    {"mechanism", "Semaphore", "posix_sem"},  // multiprocessing.Semaphore likewise
    {"mechanism", "Event", "condvar"},        // threading.Event and multiprocessing.Event
    {"store", "Manager", "proxy"},            // a Manager().dict() through its server process
    {"store", "Value", "shared"},             // multiprocessing.Value / Array in shared memory
    {"pool", "Pool", "process"},              // multiprocessing.Pool
    {"pool", "ThreadPool", "thread"},         // multiprocessing.pool.ThreadPool
}};

}  // namespace

const std::vector<PythonName>& python_names() {
  static const std::vector<PythonName> names = {
      {"threading.Thread vs multiprocessing.Process", "any workload --backend thread,process",
       "C++ threads and fork()ed processes; py_thread and py_process run the Python constructs"},
      {"Process start (fork, spawn, forkserver)",
       "spawn --param method=thread,fork,fork_exec,posix_spawn",
       "fork_exec is the cost under spawn's fresh interpreter, without the interpreter"},
      {"Process.start / is_alive / terminate / kill / join",
       "lifecycle --param method=flag,terminate,kill", ""},
      {"multiprocessing.Pool.map (chunksize)", "pool_map --param pool=Pool --param chunksize=1,16",
       "pool=ThreadPool for multiprocessing.pool.ThreadPool"},
      {"multiprocessing.Queue", "ipc_pingpong, ipc_stream, ipc_fanin --param channel=Queue",
       "shm_queue: a ring in shared memory with a lock, the C++ counterpart of the pipe + feeder "
       "thread + lock"},
      {"multiprocessing.Pipe", "ipc_pingpong, ipc_stream --param channel=Pipe",
       "unix_stream: Pipe() is a Unix socketpair; Pipe(duplex=False) is channel=pipe"},
      {"multiprocessing.Lock, threading.Lock", "lock_contention, bank --param lock=Lock",
       "posix_sem: both are a POSIX semaphore underneath on Linux"},
      {"multiprocessing.Semaphore, BoundedSemaphore", "semaphore --param mechanism=Semaphore", ""},
      {"multiprocessing.Event, threading.Event", "event --param mechanism=Event",
       "condvar: a condition variable and a flag, as Event is built"},
      {"multiprocessing.Barrier, threading.Barrier", "barrier --param mechanism=pthread,futex",
       "Python's Barrier is built from a Condition: no one C++ barrier is the same"},
      {"multiprocessing.Value, Array", "proxy_store --param store=Value; bank",
       "shared: a locked table in shared memory"},
      {"multiprocessing.Manager", "proxy_store --param store=Manager",
       "proxy: get/set through a server process over Unix sockets"},
      {"the GIL: threads for CPU-bound work",
       "cpu_sum --backend py_thread,py_process --workers 1,2",
       "the multiprocessing suite measures this and its other claims: parbench run "
       "multiprocessing"},
  };
  return names;
}

std::optional<std::string> python_alias(std::string_view param, std::string_view value) {
  for (const auto& a : kAliases) {
    if (a.param == param && a.word == value) return std::string(a.value);
  }
  return std::nullopt;
}

}  // namespace parbench
