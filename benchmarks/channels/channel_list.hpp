#pragma once
// Every IPC channel, one line each (see channel.hpp).
#define PARBENCH_CHANNELS(X) \
  X(pipe)                    \
  X(unix_stream)             \
  X(unix_seqpacket)          \
  X(fifo)                    \
  X(posix_mq)                \
  X(shm_ring)                \
  X(shm_queue)               \
  X(tcp_loopback)            \
  X(inproc_queue)            \
  X(mpi)
