#!/usr/bin/env bash
# A benchmark of parbench itself: its mpi channel against a plain OSU-style MPI loop
# (benchmarks/reference/osu_style.cpp: osu_latency's method, no parbench code), under the same
# mpirun and the same placement (one rank per CPU, --bind-to core), interleaved for ROUNDS rounds:
#   parbench ipc_pingpong --backend mpi --param channel=mpi, latency_us (half round trip, the
#   loop's time / (2 x round trips)) and rtt_p50_ns / 2, per size 8 B ... 64 KiB
#   parbench_osu_style latency: the same figure from MPI_Send/MPI_Recv alone
# and prints, per size, the median over rounds of each and of their ratio. Goal: parbench / OSU-style
# <= 1.10 from 8 B to 64 KiB. Also prints the OSU-style windowed bandwidth (osu_bw's method) for
# reference. Usage: scripts/fidelity_mpi.sh [ROUNDS]   (default 3; builds Release into build/)
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
done
"${mpi[@]}" build/benchmarks/parbench_osu_style bw 65536 >"$out/osu-bw.txt"
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import csv, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = {}  # size -> [(latency_us, p50/2 us, osu us)] per round
for r in range(1, rounds + 1):
    osu = {}
    for line in open(f"{out}/osu-{r}.txt"):
        if not line.startswith("#"):
            size, v = line.split()
            osu[int(size)] = float(v)
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
print("OSU-style windowed bandwidth (window 64, MB/s = 10^6 B/s):")
for line in open(f"{out}/osu-bw.txt"):
    if not line.startswith("#"):
        size, v = line.split()
        print(f"{int(size):>7}  {float(v):>10.1f}")
PY
