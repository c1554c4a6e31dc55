#!/usr/bin/env bash
# A benchmark of parbench itself, not a test: do its figures agree with an independent reference
# measured side by side, and does profiling change what it times? Runs ROUNDS (default 5)
# interleaved rounds of
#   pipe round trip, both sides on one CPU:  parbench ipc_pingpong (process and thread backends)
#                                             against `taskset -c CPU perf bench sched pipe`
#   pipe round trip on two CPUs, placed by the scheduler: parbench placement=none against
#                                             `taskset -c A,B perf bench sched pipe`
#   profiling on / off: the same-CPU pipe round trip and cpu_sum (1 worker) with and without
#                                             run --profile
# and prints each round's ratios and their median. perf bench reports a mean (total time / round
# trips); parbench's p50 and its mean (ipc_pingpong's second pass, timed only as a whole: 2 x
# latency_us) are both compared with it.
# Goals: parbench / perf bench <= 1.05 at the same placement; profiling on / off <= 1.02.
# Usage: scripts/fidelity.sh [ROUNDS]   (builds Release into build/ as scripts/run.sh does)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}

scripts/setup.sh --fidelity
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build --target parbench >/dev/null

out=$(mktemp -d /tmp/parbench-fidelity.XXXXXX)
trap 'rm -rf "$out"' EXIT
cpus=$(taskset -pc $$ | sed 's/.*: //')
first=$(python3 -c "import os; print(sorted(os.sched_getaffinity(0))[0])")
second=$(python3 -c "import os; c=sorted(os.sched_getaffinity(0)); print(c[1] if len(c)>1 else '')")
loops=20000
echo "fidelity: $rounds rounds, $loops round trips each, CPUs $cpus; files in $out"

pb() {  # NAME ARGS...: one parbench run, its files under $out/NAME
  local name=$1
  shift
  build/parbench run "$@" --warmup 1 --quiet --no-limits --out "$out/$name" >/dev/null
}
perf_pipe() {  # CPULIST NAME: perf bench's usecs/op, in ns, into $out/NAME.perf
  taskset -c "$1" perf bench sched pipe -l "$loops" 2>/dev/null |
    awk '/usecs\/op/ {printf "%.1f\n", $1 * 1000}' >"$out/$2.perf"
}

for r in $(seq 1 "$rounds"); do
  for backend in process thread; do
    pb "same_${backend}_$r" ipc_pingpong --backend "$backend" --param channel=pipe --param size=8 \
      --param placement=same_core --param count=$loops --reps 1
  done
  perf_pipe "$first" "same_perf_$r"
  if [ -n "$second" ]; then
    taskset -c "$first,$second" build/parbench run ipc_pingpong --backend process --param channel=pipe \
      --param size=8 --param placement=none --param count=$loops --reps 1 --warmup 1 --quiet \
      --no-limits --out "$out/two_process_$r" >/dev/null
    perf_pipe "$first,$second" "two_perf_$r"
  fi
  for profile in off on; do
    flag=()
    [ "$profile" = on ] && flag=(--profile)
    pb "prof_pipe_${profile}_$r" ipc_pingpong --backend process --param channel=pipe --param size=8 \
      --param placement=same_core --param count=$loops --reps 3 "${flag[@]}"
    pb "prof_cpu_${profile}_$r" cpu_sum --backend process --workers 1 --reps 5 "${flag[@]}"
  done
done

/usr/bin/python3 - "$out" "$rounds" "$loops" <<'EOF'
import csv, statistics, sys, os
out, rounds, loops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def summary(name):
    path = os.path.join(out, name + ".summary.csv")
    if not os.path.exists(path):
        return None
    rows = [r for r in csv.DictReader(open(path)) if r["status"] == "ok"]
    return rows[0] if rows else None

def p50(name):
    s = summary(name)
    return float(s["median_rtt_p50_ns"]) if s else None

def mean_rtt(name):
    # The untimed-per-round-trip pass: its loop time / round trips (latency_us is half of that).
    s = summary(name)
    return 2000 * float(s["median_latency_us"]) if s else None

def wall(name):
    s = summary(name)
    return float(s["median_wall_ns"]) if s else None

def perf(name):
    path = os.path.join(out, name + ".perf")
    text = open(path).read().strip() if os.path.exists(path) else ""
    return float(text) if text else None

lines = [
    ("pipe, one CPU: parbench process p50 / perf bench", lambda r: (p50(f"same_process_{r}"), perf(f"same_perf_{r}"))),
    ("pipe, one CPU: parbench process mean / perf bench", lambda r: (mean_rtt(f"same_process_{r}"), perf(f"same_perf_{r}"))),
    ("pipe, one CPU: parbench thread p50 / perf bench", lambda r: (p50(f"same_thread_{r}"), perf(f"same_perf_{r}"))),
    ("pipe, two CPUs (scheduler): parbench p50 / perf bench", lambda r: (p50(f"two_process_{r}"), perf(f"two_perf_{r}"))),
    ("pipe, two CPUs (scheduler): parbench mean / perf bench", lambda r: (mean_rtt(f"two_process_{r}"), perf(f"two_perf_{r}"))),
    ("profiling on / off: pipe p50, one CPU", lambda r: (p50(f"prof_pipe_on_{r}"), p50(f"prof_pipe_off_{r}"))),
    ("profiling on / off: cpu_sum wall, 1 worker", lambda r: (wall(f"prof_cpu_on_{r}"), wall(f"prof_cpu_off_{r}"))),
]
width = max(len(l[0]) for l in lines)
print(f"{'ratio':<{width}}  " + "  ".join(f"round {r}" for r in range(1, rounds + 1)) + "   median")
for label, pair in lines:
    ratios = []
    cells = []
    for r in range(1, rounds + 1):
        a, b = pair(r)
        if a is None or b is None or b == 0:
            cells.append(f"{'-':>7}")
            continue
        ratios.append(a / b)
        cells.append(f"{a / b:7.3f}")
    med = f"{statistics.median(ratios):7.3f}" if ratios else "      -"
    print(f"{label:<{width}}  " + "  ".join(cells) + "  " + med)
print()
print("reference figures of the last round (ns):")
r = rounds
for label, value in [("perf bench, one CPU", perf(f"same_perf_{r}")),
                     ("parbench p50, one CPU", p50(f"same_process_{r}")),
                     ("perf bench, two CPUs", perf(f"two_perf_{r}")),
                     ("parbench p50, two CPUs", p50(f"two_process_{r}"))]:
    print(f"  {label:<24} {value if value is not None else '-'}")
EOF
