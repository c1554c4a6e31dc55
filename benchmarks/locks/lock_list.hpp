#pragma once
// Every lock kind, one line each (see lock.hpp).
#define PARBENCH_LOCKS(X) \
  X(std_mutex)            \
  X(pthread_mutex)        \
  X(pthread_spin)         \
  X(tas)                  \
  X(tas_backoff)          \
  X(ttas)                 \
  X(ttas_backoff)         \
  X(ticket)               \
  X(mcs)                  \
  X(futex_mutex)          \
  X(posix_sem)            \
  X(flock)                \
  X(ofd)                  \
  X(fcntl)                \
  X(atomic)
