#pragma once
// Every workload, one line each. Adding a workload is a new file defining
// `std::unique_ptr<Workload> make_<name>()` plus one line here; `parbench list`, the CLI, the
// smoke tests and sweeps all iterate over this list.
#define PARBENCH_WORKLOADS(X) \
  X(cpu_sum)                  \
  X(mem_sum)                  \
  X(sleep)                    \
  X(spawn)                    \
  X(lifecycle)                \
  X(pool_map)                 \
  X(ipc_pingpong)             \
  X(ipc_stream)               \
  X(ipc_fanin)                \
  X(proxy_store)              \
  X(lock_contention)          \
  X(bank)                     \
  X(event)                    \
  X(semaphore)                \
  X(barrier)                  \
  X(pyfunc)                   \
  X(command)
