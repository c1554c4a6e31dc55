#!/usr/bin/env bash
# How often the regression gate cries wolf between separate runs, and what it still catches: the
# figures of docs/regression.md, measured on this machine.
#   scripts/gate_noise.sh [RUNS] [WARMUP]        (default 30 runs, the first 8 only teach the history)
# 1. A/A: RUNS separate `parbench run quick` runs. Each run after the first WARMUP is compared with
#    the run before it, `compare --history` learning the spread between runs from the runs before it
#    (never from itself or a later one); then it is added to the history. Every flag is a false
#    alarm.
# 2. Detection: quick runs with cpu_sum slowed down by extra_pct=3, 5 and 10 (2 runs each), each
#    compared with the newest A/A run in the same way (--ignore-param extra_pct): cpu_sum's cases
#    caught, of 4. The same slowdowns through `parbench ab` (cpu_sum, 5 rounds of 5 repetitions)
#    and through `parbench count` (instructions, exact).
#    The A/A runs are also checked as a main-branch job would: `history check` after every add past
#    WARMUP (every exit 1 is a false alarm: a held or suspected regression), and each compare's exit
#    4 (inconclusive) is counted.
# 3. History: `history check` over the newest 12 A/A runs (no step expected), and over 12 new runs
#    with cpu_sum slowed down by 5% (then 10%) from run 7 on (--ignore-param extra_pct: the step
#    expected at run 7 in cpu_sum's series, nowhere else), checked after every add from run 7 on:
#    the detection delay (runs after the step until the first exit 1) and whom it blamed.
# Everything stays in reports/results/gate-noise-TIMESTAMP; it takes about RUNS x 7 s + 6 min.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-30}
warmup=${2:-8}
if ! [[ "$runs" =~ ^[0-9]+$ && "$warmup" =~ ^[0-9]+$ ]] || [ "$warmup" -lt 5 ] ||
  [ "$runs" -le "$warmup" ]; then
  echo "usage: scripts/gate_noise.sh [RUNS] [WARMUP]: whole numbers, WARMUP >= 5 (the history needs 5 runs) and RUNS > WARMUP" >&2
  exit 2
fi
scripts/setup.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build --target parbench >/dev/null
pb=build/parbench
dir=reports/results/gate-noise-$(date +%Y%m%d-%H%M%S)
db=$dir/history.sqlite
mkdir -p "$dir"

# Regressed cases of one comparison (JSON on stdin): "N case metric change; ..."
regressions() {
  /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
bad = [i for i in c["comparisons"] if i["verdict"] in ("REGRESSED", "FAILED")]
print(len(bad), "; ".join("{} {} {:+.1%}".format(i["case"].strip(), i["metric"], i.get("change", 0)) for i in bad))'
}

echo "A/A: $runs separate quick runs, the first $warmup teach the history" | tee "$dir/summary.txt"
alarms=0
compared=0
inconclusive=0
check_alarms=0
checks=0
for i in $(seq -w 1 "$runs"); do
  $pb run quick --quiet --out "$dir/aa-$i" >/dev/null
  if [ "$((10#$i))" -gt "$warmup" ]; then
    prev=$(printf "%0${#i}d" $((10#$i - 1)))
    status=0
    $pb compare "$dir/aa-$prev" "$dir/aa-$i" --history "$db" --format json >"$dir/aa-$i.compare.json" || status=$?
    [ "$status" -ge 2 ] && [ "$status" -ne 4 ] && exit "$status"
    [ "$status" -eq 4 ] && inconclusive=$((inconclusive + 1))
    read -r n what < <(regressions <"$dir/aa-$i.compare.json")
    compared=$((compared + 1))
    if [ "$n" -gt 0 ]; then
      alarms=$((alarms + 1))
      echo "  run $i vs $prev: false alarm: $what" | tee -a "$dir/summary.txt"
    fi
  fi
  $pb history add "$dir/aa-$i" --commit "aa-$i" --db "$db" >/dev/null
  if [ "$((10#$i))" -gt "$warmup" ]; then
    checks=$((checks + 1))
    if ! $pb history check --db "$db" --last 30 >"$dir/aa-$i.check.txt"; then
      check_alarms=$((check_alarms + 1))
      echo "  run $i: history check false alarm: $(grep -E 'HELD|SUSPECTED' "$dir/aa-$i.check.txt" | head -3 | tr -s ' ' | tr '\n' ';')" | tee -a "$dir/summary.txt"
    fi
  fi
done
echo "A/A: $alarms false alarm(s) in $compared consecutive comparisons, $inconclusive inconclusive (exit 4)" | tee -a "$dir/summary.txt"
echo "A/A: history check after each add: $check_alarms false alarm(s) in $checks checks" | tee -a "$dir/summary.txt"
last=$dir/aa-$(printf "%0${#runs}d" "$runs")

echo "detection: cpu_sum slowed down by extra_pct, against the newest A/A run (4 cases each)" | tee -a "$dir/summary.txt"
for pct in 3 5 10; do
  for k in 1 2; do
    $pb run quick --param extra_pct=$pct --quiet --out "$dir/slow$pct-$k" >/dev/null
    $pb compare "$last" "$dir/slow$pct-$k" --history "$db" --ignore-param extra_pct --format json \
      >"$dir/slow$pct-$k.compare.json" || true
    read -r n what < <(regressions <"$dir/slow$pct-$k.compare.json")
    echo "  extra_pct=$pct run $k (compare --history): $n of 4 caught: $what" | tee -a "$dir/summary.txt"
  done
done
for pct in 3 5 10; do
  $pb ab --baseline "$pb run cpu_sum --param n=1e8 --workers 1,2 --reps 5 --quiet --out {out}" \
    --candidate "$pb run cpu_sum --param n=1e8 --param extra_pct=$pct --workers 1,2 --reps 5 --quiet --out {out}" \
    --rounds 5 --ignore-param extra_pct --format json --out "$dir/ab$pct" >"$dir/ab$pct.json" 2>/dev/null || true
  read -r n what < <(regressions <"$dir/ab$pct.json")
  echo "  extra_pct=$pct (ab, 5 rounds): $n of 4 caught: $what" | tee -a "$dir/summary.txt"
done
if command -v valgrind >/dev/null; then
  $pb count cpu_sum --param n=1e6 --workers 1 --out "$dir/count-base" >/dev/null 2>&1
  for pct in 3 5 10; do
    $pb count cpu_sum --param n=1e6 --param extra_pct=$pct --workers 1 --out "$dir/count$pct" >/dev/null 2>&1
    $pb compare "$dir/count-base" "$dir/count$pct" --ignore-param extra_pct --format json \
      >"$dir/count$pct.json" || true
    read -r n what < <(regressions <"$dir/count$pct.json")
    echo "  extra_pct=$pct (count, instructions): $n of 2 caught: $what" | tee -a "$dir/summary.txt"
  done
fi

echo "history check over the newest 12 A/A runs:" | tee -a "$dir/summary.txt"
{ $pb history check --db "$db" --last 12 || true; } | sed 's/^/  /' | tee -a "$dir/summary.txt"
for step in 5 10; do
  stepdb=$dir/step$step.sqlite
  found=""
  for i in $(seq -w 1 12); do
    pct=0
    [ "$((10#$i))" -ge 7 ] && pct=$step
    $pb run quick --param extra_pct=$pct --quiet --out "$dir/step$step-$i" >/dev/null
    $pb history add "$dir/step$step-$i" --commit "step$step-$i" --db "$stepdb" >/dev/null
    if [ "$((10#$i))" -ge 7 ] && [ -z "$found" ] &&
      ! $pb history check --db "$stepdb" --ignore-param extra_pct --metric best_work_per_s 'cpu_sum' >"$dir/step$step-$i.check.txt"; then
      found="after run $i: $(grep -E 'HELD|SUSPECTED' "$dir/step$step-$i.check.txt" | sed -E 's/.*(HELD|SUSPECTED)[^(]*\((commit [^,)]*).*/\1 \2/' | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
    fi
  done
  echo "history check, cpu_sum ${step}% slower from run 7, checked after each add: first exit 1 ${found:-never}" | tee -a "$dir/summary.txt"
  { $pb history check --db "$stepdb" --ignore-param extra_pct || true; } | sed 's/^/  /' | tee -a "$dir/summary.txt"
done
echo "all of it: $dir"
