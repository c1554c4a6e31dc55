#pragma once
// The MPI world parbench runs in under `mpirun … parbench run … --backend mpi`: one worker per
// rank. This header does not include <mpi.h>: without MPI at build time (libopenmpi-dev absent)
// everything here still links, compiled() is false, and the calls that need a world throw.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace parbench::mpi {

// True when this parbench was built against an MPI library.
bool compiled();
// Why the mpi backend cannot run here ("" when it can): not built with MPI, or not initialised.
std::string unavailable_reason();

// MPI_Init (once; later calls do nothing), then every rank learns every rank's host name. Throws
// when built without MPI. After init, MPI's own error handler is replaced by one that throws.
void init(int* argc, char*** argv);
bool initialized();
// MPI_Finalize when init() ran; safe to call more than once.
void finalize();
// Ends every rank of the job now (MPI_Abort): for a rank that can no longer be waited for.
[[noreturn]] void abort(int code);

int rank();
int size();
// The host name of every rank, in rank order.
const std::vector<std::string>& hosts();
// What launched this world, for the machine description: "Open MPI v4.1.4, 2 ranks on host1".
std::string describe();

void barrier();
// Broadcasts `data` (the same size on every rank) from `root`.
void broadcast(std::span<std::byte> data, int root);
// Blocking point-to-point of exactly data.size() bytes; a message of another size is an error.
void send(int dest, int tag, std::span<const std::byte> data);
void recv(int source, int tag, std::span<std::byte> data);
// The same, waiting by MPI_Test and sched_yield: for ranks that share one CPU, where Open MPI's
// busy-polling wait keeps the other rank off the CPU until the scheduler preempts it (8 ms per
// round trip here).
void send_yielding(int dest, int tag, std::span<const std::byte> data);
void recv_yielding(int source, int tag, std::span<std::byte> data);
// data.size() / size messages of `size` bytes, the consecutive slices of `data`, all in flight at
// once: every MPI_Isend (MPI_Irecv) posted, then waited for together, as osu_bw sends its window.
// `yielding` waits by MPI_Testall/Testsome and sched_yield (ranks sharing one CPU), else by
// MPI_Waitall/Waitsome. recv_window calls `arrived(k)` for message k as soon as MPI_Waitsome
// reports it in, so that the caller checks it while later ones are still coming.
void send_window(int dest, int tag, std::span<const std::byte> data, std::size_t size,
                 bool yielding);
void recv_window(int source, int tag, std::span<std::byte> data, std::size_t size, bool yielding,
                 const std::function<void(std::size_t)>& arrived);
// A message of any size from `source`, waiting until `deadline_ns` (CLOCK_MONOTONIC); nullopt on
// timeout. Polls, so that the caller's own deadline and Ctrl-C are honoured.
std::optional<std::vector<std::byte>> recv_until(int source, int tag, std::int64_t deadline_ns);

// Environment variables mpirun sets in every rank it starts.
bool launched_by_mpirun();

// mpirun binds each rank to a core by default (for up to 2 ranks), which would leave a rank's
// threads one CPU and make --pin name CPUs the rank may not use. parbench places workers itself,
// so a rank whose CPUs are a strict subset of its launcher's (mpirun's or orted's, which are not
// bound) takes the launcher's set back. Returns what it did ("" when nothing): for meta.json.
std::string release_launcher_binding();

}  // namespace parbench::mpi
