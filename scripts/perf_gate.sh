#!/usr/bin/env bash
# The CI regression gate against a committed baseline:
#   scripts/perf_gate.sh [SUITE] [BASELINE] [-- extra `parbench compare` options]
# Builds parbench (Release), runs SUITE (default: quick), compares it with BASELINE (default:
# reports/baselines/SUITE.csv) and prints the markdown table for a pull-request comment; the same
# table goes to reports/results/gate-SUITE.md. Exit status: 0 no regression, 1 regression (or a
# case that failed), 2 bad input.
#
# A committed baseline is only comparable on the machine it was recorded on. On shared CI runners,
# prefer `parbench ab` (README, "Regression testing"), which runs the base and the candidate
# alternately in one job; refresh a baseline with:
#   build/parbench run SUITE --out reports/baselines/SUITE
set -euo pipefail
cd "$(dirname "$0")/.."

suite=${1:-quick}
baseline=${2:-reports/baselines/$suite.csv}
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift

scripts/setup.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build --target parbench >/dev/null

mkdir -p reports/results
status=0
build/parbench run "$suite" --quiet --out "reports/results/gate-$suite" >/dev/null || status=$?
if [ "$status" -ge 2 ]; then exit "$status"; fi
status=0
build/parbench compare "$baseline" "reports/results/gate-$suite" --format md "$@" \
  | tee "reports/results/gate-$suite.md" || status=${PIPESTATUS[0]}
exit "$status"
