#!/usr/bin/env bash
# Command 1: install dependencies, build parbench (Release), run the default suite and plot it.
# Writes reports/results/default.csv (rows), .summary.csv, .timeline.csv, .meta.json,
# .speedup.png/.svg, .timeline.png/.svg (cpu_sum's 2-worker cases) and the report: .report.html (one
# self-contained page) and .report.md.
# Extra arguments go to `parbench run` (e.g. --reps 20).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# A unity build halves the cold build (fmt, CLI11 and nlohmann-json are parsed a few times instead
# of once per file); scripts/test.sh builds file by file, so a missing include still fails there.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build --target parbench

status=0
build/parbench run default --out reports/results/default "$@" || status=$?
# 1 means the run finished with some error rows: still worth plotting. 2 and 130: nothing to plot.
if [ "$status" -le 1 ]; then
  /usr/bin/python3 scripts/plot_speedup.py reports/results/default.summary.csv -o reports/results/default.speedup \
    --annotate-switches
  /usr/bin/python3 scripts/plot_timeline.py reports/results/default.timeline.csv --workload cpu_sum --workers 2 \
    -o reports/results/default.timeline
  build/parbench report reports/results/default
fi
exit "$status"
