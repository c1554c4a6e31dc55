#!/usr/bin/env bash
# A benchmark of parbench itself: its mpi channel against a plain OSU-style MPI loop
# (benchmarks/reference/osu_style.cpp: osu_latency's method, no parbench code), under the same
# mpirun and the same placement (one rank per CPU, --bind-to core), interleaved for ROUNDS rounds:
#   parbench ipc_pingpong --backend mpi --param channel=mpi, latency_us (half round trip, the
#   loop's time / (2 x round trips)) and rtt_p50_ns / 2, per size 8 B ... 64 KiB
#   parbench_osu_style latency: the same figure from MPI_Send/MPI_Recv alone
#   parbench ipc_stream --param window=64, mb_per_s: osu_bw's method (a window of 64 messages in
#   flight, then a small acknowledgement), 64000 messages up to 8 KiB and 12800 above, as the
#   loop's 1000 and 200 windows (osu_bw's iterations x 10: its defaults time 8-byte windows for
#   half a millisecond, which does not hold still here)
#   parbench_osu_style bw: the same from MPI_Isend/MPI_Irecv/MPI_Waitall alone
# and prints, per size, the median over rounds of each and of their ratio (for bandwidth, OSU-style
# / parbench: the time per byte, so that above 1 is parbench slower either way). Goal: <= 1.10
# from 8 B to 64 KiB. Usage: scripts/fidelity_mpi.sh [ROUNDS]   (default 3; builds Release into build/)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fidelity_mpi.sh [ROUNDS]: ROUNDS a positive whole number" >&2
  exit 2
fi
scripts/setup.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build --target parbench parbench_osu_style >/dev/null
out=$(mktemp -d /tmp/parbench-fidelity-mpi.XXXXXX)
trap 'rm -rf "$out"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe -np 2 --bind-to core --map-by core)
sizes=8,64,512,4096,32768,65536
for r in $(seq 1 "$rounds"); do
  "${mpi[@]}" build/parbench run ipc_pingpong --backend mpi --param channel=mpi \
    --param size=$sizes --param placement=none --param count=10000 --reps 3 --no-limits --quiet \
    --out "$out/pb-$r" >/dev/null
  "${mpi[@]}" build/benchmarks/parbench_osu_style latency 65536 >"$out/osu-$r.txt"
  for part in "8,64,512,4096 64000" "32768,65536 12800"; do
    set -- $part
    "${mpi[@]}" build/parbench run ipc_stream --backend mpi --param channel=mpi --param size=$1 \
      --param window=64 --param placement=none --param count=$2 --reps 3 --no-limits --quiet \
      --out "$out/pbw-$r-$2" >/dev/null
  done
  "${mpi[@]}" build/benchmarks/parbench_osu_style bw 65536 10 >"$out/osu-bw-$r.txt"
  "${mpi[@]}" build/benchmarks/parbench_osu_style bw_distinct 65536 10 >"$out/osu-bwd-$r.txt"
done
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import csv, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def read_osu(path):
    """{size: figure} from parbench_osu_style's output."""
    out = {}
    for line in open(path):
        if not line.startswith("#"):
            size, v = line.split()
            out[int(size)] = float(v)
    return out
rows = {}  # size -> [(latency_us, p50/2 us, osu us)] per round
for r in range(1, rounds + 1):
    osu = read_osu(f"{out}/osu-{r}.txt")
    for row in csv.DictReader(open(f"{out}/pb-{r}.summary.csv")):
        size = int(row["size"])
        if size in osu and row["status"] == "ok":
            rows.setdefault(size, []).append((float(row["median_latency_us"]),
                                              float(row["median_rtt_p50_ns"]) / 2000, osu[size]))
print(f"mpi channel vs OSU-style loop, {rounds} round(s), 2 ranks bound to 2 cores (median over rounds)")
print(f"{'size':>7}  {'parbench latency_us':>19}  {'p50/2 us':>9}  {'OSU-style us':>12}  {'ratio':>6}  {'p50 ratio':>9}")
for size in sorted(rows):
    v = rows[size]
    lat, p50, osu = (statistics.median(x[i] for x in v) for i in range(3))
    ratio = statistics.median(x[0] / x[2] for x in v)
    p50_ratio = statistics.median(x[1] / x[2] for x in v)
    print(f"{size:>7}  {lat:>19.3f}  {p50:>9.3f}  {osu:>12.3f}  {ratio:>6.3f}  {p50_ratio:>9.3f}")
bw = {}  # size -> [(parbench MB/s, OSU-style MB/s, OSU-style with a buffer per message)] per round
for r in range(1, rounds + 1):
    osu, osu_d = read_osu(f"{out}/osu-bw-{r}.txt"), read_osu(f"{out}/osu-bwd-{r}.txt")
    for count in (64000, 12800):
        for row in csv.DictReader(open(f"{out}/pbw-{r}-{count}.summary.csv")):
            size = int(row["size"])
            if size in osu and size in osu_d and row["status"] == "ok":
                bw.setdefault(size, []).append((float(row["median_mb_per_s"]), osu[size], osu_d[size]))
print(f"windowed bandwidth (window 64; MB/s = 10^6 B/s), {rounds} round(s), median over rounds;")
print("OSU-style sends every message of a window from one buffer, as osu_bw; 'distinct' gives each its")
print("own buffer, as parbench must to check every message")
print(f"{'size':>7}  {'parbench':>9}  {'OSU-style':>9}  {'ratio':>6}  {'distinct':>9}  {'ratio':>6}")
for size in sorted(bw):
    v = bw[size]
    pb, osu, osu_d = (statistics.median(x[i] for x in v) for i in range(3))
    ratio = statistics.median(x[1] / x[0] for x in v)
    ratio_d = statistics.median(x[2] / x[0] for x in v)
    print(f"{size:>7}  {pb:>9.1f}  {osu:>9.1f}  {ratio:>6.3f}  {osu_d:>9.1f}  {ratio_d:>6.3f}")
PY
