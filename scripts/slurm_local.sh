#!/usr/bin/env bash
# A private Slurm cluster on this machine, for trying and testing parbench under a scheduler
# (srun, sbatch, scancel) without touching the system's Slurm or munge:
#   scripts/slurm_local.sh start     one node: munged, slurmctld and slurmd for this host's name
#   scripts/slurm_local.sh start --on-hosts
#                                    one node per host of scripts/hosts_local.sh (started first):
#                                    a slurmd in each host's namespaces, munged and slurmctld in
#                                    the first host. Clients reach slurmctld only from inside a
#                                    host: scripts/hosts_local.sh run pbnode1 sbatch ...
#   scripts/slurm_local.sh status    which daemons run, and sinfo
#   scripts/slurm_local.sh stop      the daemons stopped by their PIDs, the state kept
#   scripts/slurm_local.sh env       the line to paste into a shell: export SLURM_CONF=...
# status, stop and env take --on-hosts too, for the cluster on hosts.
# Everything (munge key and socket, slurm.conf, state, spool, logs, PID files) lives in one
# directory, $PARBENCH_SLURM_DIR: by default /tmp/parbench-slurm-$UID for one node, and the hosts'
# state directory's slurm/ (under /run, which every host sees; hosts_local.sh stop removes it) on
# hosts, whose /tmp is their own. The daemons listen on ports 16817/16818 so that a system Slurm
# on 6817/6818 is left alone. Clients find this cluster through SLURM_CONF. Debian's slurm-wlm and
# munge provide the programs (scripts/setup.sh --test installs them). Exit status: 0 done, 1 a
# daemon did not come up (its log is printed) or no hosts run, 2 bad usage.
#
# The configuration is the smallest that runs real jobs in a container or VM: no cgroups
# (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none), consumable CPUs (select/cons_tres,
# CR_CPU), no accounting, root as SlurmUser (the daemons run as whoever starts them). Hosts share
# this machine's CPUs: each node declares all of them.
set -euo pipefail

scripts=$(dirname "$(readlink -f "$0")")
hosts_dir=${PARBENCH_HOSTS_DIR:-/run/parbench-hosts}

usage() {
  echo "usage: scripts/slurm_local.sh start|stop|status|env [--on-hosts]" >&2
  exit 2
}
on_hosts=0
if [ $# -eq 2 ] && [ "$2" = --on-hosts ]; then
  on_hosts=1
elif [ $# -ne 1 ]; then
  usage
fi

if [ "$on_hosts" -eq 1 ]; then
  dir=${PARBENCH_SLURM_DIR:-$hosts_dir/slurm}
else
  dir=${PARBENCH_SLURM_DIR:-/tmp/parbench-slurm-$(id -u)}
fi
conf=$dir/slurm.conf

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
any_alive() {
  for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}

# The cluster's nodes (one line each); the first runs munged and slurmctld.
nodes() { cat "$dir/nodes"; }
first_node() { head -n 1 "$dir/nodes"; }
# CMD on NODE: inside the host's namespaces for a cluster on hosts, here for one node.
on_node() {
  local node=$1
  shift
  if [ "$(cat "$dir/mode")" = hosts ]; then
    PARBENCH_HOSTS_DIR=$hosts_dir "$scripts/hosts_local.sh" run "$node" "$@"
  else
    "$@"
  fi
}

choose_nodes() {
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ "$on_hosts" -eq 0 ]; then
    hostname -s >"$dir/nodes"
    echo local >"$dir/mode"
    return 0
  fi
  local names=()
  if [ -f "$hosts_dir/names" ]; then
    while read -r h; do alive "$hosts_dir/$h.pid" && names+=("$h"); done <"$hosts_dir/names"
  fi
  if [ "${#names[@]}" -lt 2 ]; then
    echo "slurm_local: start --on-hosts needs the hosts of scripts/hosts_local.sh running (none in $hosts_dir): scripts/hosts_local.sh start 2 first" >&2
    exit 1
  fi
  printf '%s\n' "${names[@]}" >"$dir/nodes"
  echo hosts >"$dir/mode"
  # Every host must see this directory as it is here: a /tmp of its own would hide it.
  for h in "${names[@]}"; do
    if ! PARBENCH_HOSTS_DIR=$hosts_dir "$scripts/hosts_local.sh" run "$h" test -f "$dir/nodes"; then
      echo "slurm_local: $h does not see $dir (a host's /tmp is its own): set PARBENCH_SLURM_DIR outside /tmp, or leave it unset" >&2
      exit 2
    fi
  done
}

write_config() {
  mkdir -p "$dir"/state "$dir"/log
  for node in $(nodes); do mkdir -p "$dir/spool/$node"; done
  if [ ! -f "$dir/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge.key"
  fi
  local cpus memory_mb list
  cpus=$(nproc)
  memory_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) * 9 / 10 / 1024 / $(nodes | wc -l)))
  list=$(nodes | paste -sd, -)
  cat >"$conf" <<CONF
# Written by scripts/slurm_local.sh: a private cluster of $(nodes | wc -l) node(s) on $(hostname -s).
ClusterName=parbench
SlurmctldHost=$(first_node)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
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
NodeName=$list CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=local Nodes=$list Default=YES MaxTime=INFINITE State=UP
CONF
  : >"$dir/plugstack.conf"
}

# How many of the cluster's nodes sinfo shows ready (idle, or mixed or allocated with a job of an
# earlier start), asked from the first node.
ready_nodes() {
  on_node "$(first_node)" env SLURM_CONF="$conf" sinfo -h -N -o %t 2>/dev/null |
    grep -cE '^(idle|mix|alloc)' || true
}

start() {
  for program in munged slurmctld slurmd sinfo; do
    if ! command -v "$program" >/dev/null; then
      echo "slurm_local: $program is not installed (scripts/setup.sh --test installs slurm-wlm and munge)" >&2
      exit 1
    fi
  done
  if [ -f "$dir/mode" ] && alive "$dir/slurmctld.pid" &&
    [ "$(cat "$dir/mode")" != "$([ "$on_hosts" -eq 1 ] && echo hosts || echo local)" ]; then
    echo "slurm_local: a cluster of another kind runs in $dir: scripts/slurm_local.sh stop first" >&2
    exit 1
  fi
  choose_nodes
  write_config
  local first
  first=$(first_node)
  if ! alive "$dir/munged.pid"; then
    on_node "$first" munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" \
      --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge.seed"
  fi
  if ! alive "$dir/slurmctld.pid"; then on_node "$first" slurmctld -f "$conf"; fi
  for node in $(nodes); do
    if ! alive "$dir/slurmd-$node.pid"; then on_node "$node" slurmd -f "$conf" -N "$node"; fi
  done
  local want ready=0
  want=$(nodes | wc -l)
  for _ in $(seq 1 60); do
    ready=$(ready_nodes)
    if [ "$ready" -eq "$want" ]; then
      echo "slurm_local: cluster up in $dir (node(s) $(nodes | paste -sd' ' -), $(nproc) CPUs each); export SLURM_CONF=$conf"
      [ "$on_hosts" -eq 1 ] && echo "slurm_local: clients run in a host: scripts/hosts_local.sh run $first sbatch ..."
      return 0
    fi
    sleep 0.5
  done
  echo "slurm_local: $ready of $want node(s) became idle within 30 s; logs:" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  exit 1
}

stop() {
  local daemons=() pids=()
  if [ -f "$dir/nodes" ]; then
    for node in $(nodes); do daemons+=("slurmd-$node"); done
  fi
  daemons+=(slurmd slurmctld munged) # slurmd: a cluster started before the PID file had its node
  # All at once (each takes seconds to shut down), then SIGKILL for any still running after 5 s.
  for daemon in "${daemons[@]}"; do
    if alive "$dir/$daemon.pid"; then
      pids+=("$(cat "$dir/$daemon.pid")")
      kill "${pids[-1]}"
    fi
  done
  for _ in $(seq 1 50); do
    any_alive "${pids[@]}" || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid"; done
  for daemon in "${daemons[@]}"; do rm -f "$dir/$daemon.pid"; done
  echo "slurm_local: stopped (state and logs kept in $dir)"
}

status() {
  local running=0 want=0
  if [ ! -f "$dir/nodes" ]; then
    echo "no cluster in $dir"
    return 1
  fi
  for daemon in munged slurmctld $(nodes | sed 's/^/slurmd-/'); do
    want=$((want + 1))
    if alive "$dir/$daemon.pid"; then
      echo "$daemon: running (pid $(cat "$dir/$daemon.pid"))"
      running=$((running + 1))
    else
      echo "$daemon: stopped"
    fi
  done
  [ "$running" -eq "$want" ] && on_node "$(first_node)" env SLURM_CONF="$conf" sinfo
  [ "$running" -eq "$want" ]
}

case "$1" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env)
    echo "export SLURM_CONF=$conf"
    if [ -f "$dir/mode" ] && [ "$(cat "$dir/mode")" = hosts ]; then
      echo "# clients reach slurmctld from inside a host: scripts/hosts_local.sh run $(first_node) sbatch ..."
    fi
    ;;
  *) usage ;;
esac
