// A plain MPI ping-pong and windowed bandwidth loop in the manner of the OSU micro-benchmarks
// (osu_latency, osu_bw; Ohio State University), sharing no code with parbench: the reference that
// scripts/fidelity_mpi.sh measures parbench's mpi channel against, under the same mpirun and
// placement.
//   mpirun -np 2 parbench_osu_style latency|bw|bw_distinct [MAX_BYTES [SCALE]]
// latency: for each size 8 B ... MAX_BYTES (x2), rank 0 sends and rank 1 sends back with
// MPI_Send / MPI_Recv; 1000 warm-up and 10000 timed round trips (100 and 1000 above 8 KiB); prints
// the half round trip in microseconds, total time / (2 x round trips), as osu_latency does.
// bw: rank 0 posts a window of 64 MPI_Isend, rank 1 64 MPI_Irecv, both wait for all, rank 1 acks
// with 4 bytes; 10 warm-up and 100 timed windows (2 and 20 above 8 KiB); prints MB/s (10^6 B/s)
// of payload, as osu_bw does. Every message of a window uses the same buffer, as in osu_bw.
// bw_distinct: the same, but each message of the window has its own buffer (64 x the size), as a
// receiver that checks every message needs: the figure for the same method with that footprint.
// SCALE multiplies the warm-up and timed iterations (osu_bw's -x and -i): osu_bw's defaults time
// 8-byte windows for half a millisecond, too short to hold still on a shared VM.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kLargeMessage = 8192;
constexpr int kWindow = 64;

double latency_us(int rank, int bytes, std::vector<char>& buf, int scale) {
  const int skip = (bytes > kLargeMessage ? 100 : 1000) * scale;
  const int iterations = (bytes > kLargeMessage ? 1000 : 10000) * scale;
  double start = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  for (int i = 0; i < skip + iterations; ++i) {
    if (i == skip) start = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(buf.data(), bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
      MPI_Recv(buf.data(), bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(buf.data(), bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buf.data(), bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
    }
  }
  return (MPI_Wtime() - start) * 1e6 / (2.0 * iterations);
}

double bandwidth_mb_s(int rank, int bytes, std::vector<char>& buf, bool distinct, int scale) {
  const int skip = (bytes > kLargeMessage ? 2 : 10) * scale;
  const int iterations = (bytes > kLargeMessage ? 20 : 100) * scale;
  std::vector<MPI_Request> requests(kWindow);
  char ack[4] = {};
  double start = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  for (int i = 0; i < skip + iterations; ++i) {
    if (i == skip) start = MPI_Wtime();
    for (int w = 0; w < kWindow; ++w) {
      char* at = buf.data() + (distinct ? static_cast<std::size_t>(w) * bytes : 0);
      if (rank == 0) {
        MPI_Isend(at, bytes, MPI_CHAR, 1, 2, MPI_COMM_WORLD, &requests[w]);
      } else {
        MPI_Irecv(at, bytes, MPI_CHAR, 0, 2, MPI_COMM_WORLD, &requests[w]);
      }
    }
    MPI_Waitall(kWindow, requests.data(), MPI_STATUSES_IGNORE);
    if (rank == 0) {
      MPI_Recv(ack, 4, MPI_CHAR, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Send(ack, 4, MPI_CHAR, 0, 3, MPI_COMM_WORLD);
    }
  }
  const double seconds = MPI_Wtime() - start;
  return static_cast<double>(bytes) * kWindow * iterations / seconds / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string mode = argc > 1 ? argv[1] : "";
  const long max_bytes = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 65536;
  const long scale = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 1;
  if (size != 2 || (mode != "latency" && mode != "bw" && mode != "bw_distinct") || max_bytes < 8 ||
      max_bytes > (1L << 30)) {
    if (rank == 0) {
      std::fprintf(
          stderr,
          "usage: mpirun -np 2 parbench_osu_style latency|bw|bw_distinct [MAX_BYTES, 8 to 2^30 "
          "[SCALE, 1 to 1000]]\n");
    }
    MPI_Finalize();
    return 2;
  }
  const bool distinct = mode == "bw_distinct";
  std::vector<char> buf(static_cast<std::size_t>(max_bytes) * (distinct ? kWindow : 1), 'a');
  if (rank == 0) std::printf("# size_bytes %s\n", mode == "latency" ? "latency_us" : "mb_per_s");
  for (long bytes = 8; bytes <= max_bytes; bytes *= 2) {
    const int n = static_cast<int>(bytes);
    const double v = mode == "latency"
                         ? latency_us(rank, n, buf, static_cast<int>(scale))
                         : bandwidth_mb_s(rank, n, buf, distinct, static_cast<int>(scale));
    if (rank == 0) std::printf("%ld %.3f\n", bytes, v);
  }
  MPI_Finalize();
  return 0;
}
