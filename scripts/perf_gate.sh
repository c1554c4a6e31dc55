#!/usr/bin/env bash
# The CI regression gate against a committed baseline of this machine:
#   scripts/perf_gate.sh [SUITE] [BASELINE] [-- extra `parbench compare` options]
# Builds parbench (Release), runs SUITE (default: quick), compares it with BASELINE (default:
# reports/baselines/SUITE-FINGERPRINT.csv, where FINGERPRINT is `parbench env --fingerprint`: this
# machine's CPU model, CPU count, kernel and build hashed) and prints the markdown table for a
# pull-request comment; the same table goes to reports/results/gate-SUITE.md. Exit status: 0 no
# regression, 1 regression (or a case that failed), 2 bad input (a BASELINE from another machine).
#
# A baseline is only comparable on the machine that recorded it, so each machine has its own. When
# this machine has none, the gate says so, keeps this run as the baseline to commit, and exits 0
# without judging: it never compares another machine's figures. Record one with:
#   scripts/perf_gate.sh SUITE   (then commit reports/baselines/SUITE-FINGERPRINT.*)
# On shared CI runners, whose machine changes from job to job, prefer `parbench ab`
# (docs/regression.md), which runs the base and the candidate alternately in one job.
#
# Separate runs differ by more than one run's repetitions show. When a history of this machine's
# runs exists (PARBENCH_HISTORY, default reports/history.sqlite, filled by `parbench history add`),
# the comparison takes it (`compare --history`): each case's threshold widens to its spread between
# runs, and a case that flips between two levels is reported as unstable and not gated.
set -euo pipefail
cd "$(dirname "$0")/.."

suite=${1:-quick}
scripts/setup.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build --target parbench >/dev/null
fingerprint=$(build/parbench env --fingerprint)
baseline=${2:-reports/baselines/$suite-$fingerprint.csv}
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift

mkdir -p reports/results
status=0
build/parbench run "$suite" --quiet --out "reports/results/gate-$suite" >/dev/null || status=$?
if [ "$status" -ge 2 ]; then exit "$status"; fi

if [ ! -f "$baseline" ]; then
  prefix=reports/baselines/$suite-$fingerprint
  for f in csv summary.csv meta.json; do cp "reports/results/gate-$suite.$f" "$prefix.$f"; done
  others=$(ls reports/baselines/"$suite"-*.meta.json 2>/dev/null | grep -v "$fingerprint" |
    sed 's/\.meta\.json$/.csv/' | tr '\n' ' ' | sed 's/ $//' || true)
  machine=$(build/parbench env --json | /usr/bin/python3 -c "import json, sys; m = json.load(sys.stdin); \
print('{}, {} CPUs, {}, {}'.format(m['cpu_model'], m['online_cpus'], m['kernel'], m['build_type']))")
  cat <<MSG | tee "reports/results/gate-$suite.md"
### parbench: no baseline for this machine

This machine (fingerprint \`$fingerprint\`: $machine) has no \`$suite\` baseline${others:+; the baselines of other machines ($others) are not comparable here}.
This run is kept as one: commit \`$prefix.csv\`, \`.summary.csv\` and \`.meta.json\`. Nothing was judged.
MSG
  exit 0
fi
history=${PARBENCH_HISTORY:-reports/history.sqlite}
history_args=()
if [ -f "$history" ]; then history_args=(--history "$history"); fi
status=0
build/parbench compare "$baseline" "reports/results/gate-$suite" --format md "${history_args[@]}" "$@" \
  | tee "reports/results/gate-$suite.md" || status=${PIPESTATUS[0]}
exit "$status"
