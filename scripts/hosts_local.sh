#!/usr/bin/env bash
# Several "hosts" on this machine, for running and testing parbench across hosts without a second
# machine: each has its own hostname (a UTS namespace), its own network (a network namespace with
# one interface, eth0, on a private switch), and its own /dev/shm and /tmp (a mount namespace with
# tmpfs on both, and /etc/hosts naming every host).
#   scripts/hosts_local.sh start N       hosts pbnode1 .. pbnodeN (N from 2 to 16)
#   scripts/hosts_local.sh status        which hosts run, and their addresses
#   scripts/hosts_local.sh env           lines to paste into a shell: mpirun's launch agent and
#                                        interfaces (OMPI_MCA_*), PARBENCH_HOSTFILE. The hosts share
#                                        this machine's CPUs, so Open MPI's binding is turned off:
#                                        each host would bind its first rank to the same core 0
#   scripts/hosts_local.sh run HOST CMD...   CMD inside HOST (its namespaces), in this directory
#   scripts/hosts_local.sh agent HOST WORDS...  the same through `sh -c` (Open MPI's launch agent,
#                                        which passes a command line as ssh would)
#   scripts/hosts_local.sh kill HOST     every process of HOST killed (a host that fails)
#   scripts/hosts_local.sh stop          every process in every host's namespaces killed, so the
#                                        namespaces, interfaces and mounts go with them; state removed
# Each host is held by one process (`sleep infinity` in its namespaces, PID in the state
# directory); the switch is a network namespace of its own holding a bridge. Nothing is created in
# the machine's own namespaces: no interface, address, route or mount, and no /run/netns entry
# (only an empty directory, /run/parbench-hosts-outer-tmp, which stop removes).
# Addresses are 10.213.0.11 .. 10.213.0.(10+N)/24, inside those namespaces only.
# State: $PARBENCH_HOSTS_DIR (default /run/parbench-hosts). Each host has a tmpfs on /tmp, except
# for the top directories of /tmp holding the state, this checkout and the directory `start` ran
# in, which stay the machine's (so that a clone under /tmp runs).
# Needs root, unshare, nsenter and ip (util-linux, iproute2). Exit status: 0 done, 1 a step failed,
# 2 bad usage, 3 this machine cannot make hosts (not root, or the kernel refuses the namespaces;
# the reason is printed: tests skip on it).
set -euo pipefail

dir=${PARBENCH_HOSTS_DIR:-/run/parbench-hosts}
subnet=10.213.0
self=$(readlink -f "$0")

usage() {
  echo "usage: scripts/hosts_local.sh start N | status | env | run HOST CMD... | agent HOST WORDS... | kill HOST | stop" >&2
  exit 2
}
[ $# -ge 1 ] || usage

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
hosts() { [ -f "$dir/names" ] && cat "$dir/names" || true; }
pid_of() {
  alive "$dir/$1.pid" || { echo "hosts_local.sh: no host $1 running (scripts/hosts_local.sh status)" >&2; exit 1; }
  cat "$dir/$1.pid"
}

cannot() {
  echo "hosts_local.sh: cannot make hosts here: $1" >&2
  exit 3
}

check_possible() {
  [ "$(id -u)" -eq 0 ] || cannot "needs root (network, UTS and mount namespaces)"
  for tool in unshare nsenter ip; do
    command -v "$tool" >/dev/null || cannot "$tool is missing (Debian: util-linux, iproute2)"
  done
  local why
  why=$(unshare --net --uts --mount true 2>&1) || cannot "the kernel refuses new namespaces: $why"
  why=$(unshare --net sh -c 'ip link add pbprobe0 type veth peer name pbprobe1 && ip link add pbbr0 type bridge' 2>&1) ||
    cannot "no veth or bridge interfaces: $why"
}

# A holder: `sleep infinity` as the first process of new namespaces, after `setup` ran in them.
# unshare without --fork execs its command, so the PID started is the holder's.
hold() {
  local name=$1 flags=$2 setup=$3
  rm -f "$dir/$name.ready"
  # shellcheck disable=SC2086 # the flags are words
  setsid unshare $flags -- sh -c "$setup && touch '$dir/$name.ready' && exec sleep infinity" \
    </dev/null >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  for _ in $(seq 100); do
    [ -f "$dir/$name.ready" ] && return 0
    alive "$dir/$name.pid" || break
    sleep 0.05
  done
  echo "hosts_local.sh: $name did not come up:" >&2
  cat "$dir/$name.log" >&2
  return 1
}

# The commands that give a host a /tmp of its own: a tmpfs over it, with the top directories of
# /tmp that hold the state, this checkout and the current directory bound back from the machine's
# /tmp (seen for a moment at $outer, an empty directory of the machine's), so that a checkout
# under /tmp works.
outer=/run/parbench-hosts-outer-tmp
private_tmp() {
  local tops=() p top
  for p in "$dir" "$(dirname "$(dirname "$self")")" "$PWD"; do
    p=$(readlink -f "$p")
    [[ $p == /tmp/* ]] || continue
    top=${p#/tmp/}
    tops+=("${top%%/*}")
  done
  printf "mount --bind /tmp '%s' && mount -t tmpfs -o mode=1777 tmpfs /tmp" "$outer"
  for top in $(printf '%s\n' "${tops[@]}" | sort -u); do
    printf " && mkdir -p '/tmp/%s' && mount --bind '%s/%s' '/tmp/%s'" "$top" "$outer" "$top" "$top"
  done
  printf " && umount '%s'" "$outer"
}

start() {
  local n=$1
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 16 ] || {
    echo "hosts_local.sh: start N: '$n' is not allowed; N is a count from 2 to 16" >&2
    exit 2
  }
  if [ -f "$dir/names" ]; then
    local running=0
    for h in $(hosts); do alive "$dir/$h.pid" && running=$((running + 1)); done
    if [ "$running" -eq "$n" ] && [ "$running" -eq "$(hosts | wc -l)" ] && alive "$dir/switch.pid"; then
      echo "hosts_local.sh: $n hosts already running"
      return 0
    fi
    echo "hosts_local.sh: another set of hosts is (partly) running; scripts/hosts_local.sh stop first" >&2
    exit 1
  fi
  check_possible
  mkdir -p "$dir"
  chmod 755 "$dir"
  {
    echo "127.0.0.1 localhost"
    for i in $(seq "$n"); do echo "$subnet.$((10 + i)) pbnode$i"; done
  } >"$dir/etc_hosts"
  : >"$dir/hostfile"
  for i in $(seq "$n"); do echo "pbnode$i slots=$(nproc)" >>"$dir/hostfile"; done
  mkdir -p "$outer"
  hold switch "--net" "ip link set lo up && ip link add br0 type bridge && ip link set br0 up"
  local sw
  sw=$(cat "$dir/switch.pid")
  for i in $(seq "$n"); do
    local h=pbnode$i
    echo "$h" >>"$dir/names"
    hold "$h" "--uts --mount --net --propagation private" \
      "hostname $h && mount --bind '$dir/etc_hosts' /etc/hosts && mount -t tmpfs -o mode=1777,size=50% tmpfs /dev/shm && $(private_tmp) && ip link set lo up"
    local pid
    pid=$(cat "$dir/$h.pid")
    nsenter -t "$sw" -n ip link add "$h" type veth peer name eth0 netns "$pid"
    nsenter -t "$sw" -n ip link set "$h" master br0 up
    nsenter -t "$pid" -n ip addr add "$subnet.$((10 + i))/24" dev eth0
    nsenter -t "$pid" -n ip link set eth0 up
  done
  echo "hosts_local.sh: started $(hosts | tr '\n' ' ')(state in $dir)"
}

# Every process whose network namespace is that of the holder `pid` (the holder included).
# One find over /proc (a readlink per process would fork hundreds of times); the namespace's name,
# net:[NUMBER], has its brackets escaped for -lname's pattern.
members() {
  local ns
  ns=$(readlink "/proc/$1/ns/net" 2>/dev/null) || return 0
  ns=${ns//[/\\[}
  ns=${ns//]/\\]}
  find /proc/[0-9]*/ns/net -maxdepth 0 -lname "$ns" 2>/dev/null | cut -d/ -f3
  return 0
}

# Every process of the named hosts killed, then their holders awaited (up to 10 s; a holder's
# exit tears its namespaces down, over a second each here, so all hosts go at once).
kill_hosts() {
  local holders=() h pid
  for h in "$@"; do alive "$dir/$h.pid" && holders+=("$(cat "$dir/$h.pid")"); done
  [ "${#holders[@]}" -gt 0 ] || return 0
  # Twice: a process that forked while the first round ran.
  for _ in 1 2; do
    for pid in "${holders[@]}"; do
      # shellcheck disable=SC2046 # PIDs are words
      kill -KILL $(members "$pid") 2>/dev/null || true
    done
  done
  for _ in $(seq 500); do
    local running=0
    for pid in "${holders[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" -eq 1 ] || break
    sleep 0.02
  done
}

stop() {
  [ -d "$dir" ] || return 0
  # shellcheck disable=SC2046 # host names are words
  kill_hosts $(hosts) switch
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    if alive "$f"; then
      echo "hosts_local.sh: $(basename "$f" .pid) (PID $(cat "$f")) is still running" >&2
      exit 1
    fi
  done
  rm -rf "$dir"
  rmdir "$outer" 2>/dev/null || true  # another set of hosts may still use it
  echo "hosts_local.sh: stopped"
}

status() {
  [ -f "$dir/names" ] || { echo "no hosts"; return 0; }
  for h in $(hosts); do
    if alive "$dir/$h.pid"; then
      echo "$h  running  $(nsenter -t "$(cat "$dir/$h.pid")" -n ip -4 -o addr show eth0 | awk '{print $4}')"
    else
      echo "$h  stopped"
    fi
  done
}

case "$1" in
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) [ $# -eq 1 ] || usage; stop ;;
  status) [ $# -eq 1 ] || usage; status ;;
  env)
    [ -f "$dir/hostfile" ] || { echo "hosts_local.sh: no hosts (scripts/hosts_local.sh start N)" >&2; exit 1; }
    cat <<ENV
export PARBENCH_HOSTFILE=$dir/hostfile
export OMPI_MCA_plm_rsh_agent="$self agent"
export OMPI_MCA_btl=tcp,self
export OMPI_MCA_btl_tcp_if_include=$subnet.0/24
export OMPI_MCA_oob_tcp_if_include=$subnet.0/24
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_hwloc_base_binding_policy=none
ENV
    ;;
  run)
    [ $# -ge 3 ] || usage
    pid=$(pid_of "$2")
    shift 2
    exec nsenter -t "$pid" -u -m -n --wd="$PWD" -- "$@"
    ;;
  agent)
    [ $# -ge 3 ] || usage
    pid=$(pid_of "$2")
    shift 2
    exec nsenter -t "$pid" -u -m -n --wd="$PWD" -- sh -c "$*"
    ;;
  kill) [ $# -eq 2 ] || usage; kill_hosts "$2" ;;
  *) usage ;;
esac
