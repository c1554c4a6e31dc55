#!/usr/bin/env bash
# A private one-node Slurm cluster on this machine, for trying and testing parbench under a
# scheduler (srun, sbatch, scancel) without touching the system's Slurm or munge:
#   scripts/slurm_local.sh start     munged, slurmctld and slurmd for this host's name and CPUs
#   scripts/slurm_local.sh status    which daemons run, and sinfo
#   scripts/slurm_local.sh stop      the daemons stopped by their PIDs, the state kept
#   scripts/slurm_local.sh env       the line to paste into a shell: export SLURM_CONF=...
# Everything (munge key and socket, slurm.conf, state, spool, logs, PID files) lives in one
# directory, $PARBENCH_SLURM_DIR (default /tmp/parbench-slurm-$UID); the daemons listen on ports
# 16817/16818 so that a system Slurm on 6817/6818 is left alone. Clients find this cluster through
# SLURM_CONF. Debian's slurm-wlm and munge provide the programs (scripts/setup.sh --test installs
# them). Exit status: 0 done, 1 a daemon did not come up (its log is printed), 2 bad usage.
#
# The configuration is the smallest that runs real jobs in a container or VM: no cgroups
# (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none), consumable CPUs (select/cons_tres,
# CR_CPU), no accounting, root as SlurmUser (the daemons run as whoever starts them).
set -euo pipefail

dir=${PARBENCH_SLURM_DIR:-/tmp/parbench-slurm-$(id -u)}
conf=$dir/slurm.conf
host=$(hostname -s)

usage() {
  echo "usage: scripts/slurm_local.sh start|stop|status|env" >&2
  exit 2
}
[ $# -eq 1 ] || usage

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_config() {
  mkdir -p "$dir"/state "$dir"/spool "$dir"/log
  chmod 700 "$dir"
  if [ ! -f "$dir/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge.key"
  fi
  local cpus memory_mb
  cpus=$(nproc)
  memory_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
  cat >"$conf" <<CONF
# Written by scripts/slurm_local.sh for $host: a private one-node cluster.
ClusterName=parbench
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
KillWait=5
InactiveLimit=0
MinJobAge=30
PlugStackConfig=$dir/plugstack.conf
NodeName=$host CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  : >"$dir/plugstack.conf"
}

start() {
  for program in munged slurmctld slurmd sinfo; do
    if ! command -v "$program" >/dev/null; then
      echo "slurm_local: $program is not installed (scripts/setup.sh --test installs slurm-wlm and munge)" >&2
      exit 1
    fi
  done
  write_config
  if ! alive "$dir/munged.pid"; then
    munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" \
      --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge.seed"
  fi
  if ! alive "$dir/slurmctld.pid"; then slurmctld -f "$conf"; fi
  if ! alive "$dir/slurmd.pid"; then slurmd -f "$conf"; fi
  # The node is ready when sinfo shows it idle (or mixed, with a job of an earlier start).
  for _ in $(seq 1 60); do
    state=$(SLURM_CONF=$conf sinfo -h -n "$host" -o %t 2>/dev/null || true)
    case "$state" in
      idle* | mix* | alloc*)
        echo "slurm_local: cluster up in $dir (node $host, $(nproc) CPUs); export SLURM_CONF=$conf"
        return 0
        ;;
    esac
    sleep 0.5
  done
  echo "slurm_local: the node did not become idle within 30 s (state '${state:-none}'); logs:" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  exit 1
}

stop() {
  local pid
  for daemon in slurmd slurmctld munged; do
    if alive "$dir/$daemon.pid"; then
      pid=$(cat "$dir/$daemon.pid")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$dir/$daemon.pid"
  done
  echo "slurm_local: stopped (state and logs kept in $dir)"
}

status() {
  local running=0
  for daemon in munged slurmctld slurmd; do
    if alive "$dir/$daemon.pid"; then
      echo "$daemon: running (pid $(cat "$dir/$daemon.pid"))"
      running=$((running + 1))
    else
      echo "$daemon: stopped"
    fi
  done
  [ "$running" -eq 3 ] && SLURM_CONF=$conf sinfo
  [ "$running" -eq 3 ]
}

case "$1" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) usage ;;
esac
