#!/usr/bin/env bash
# Installs parbench's build and plot dependencies from Debian's packages.
# Idempotent: packages already present are left as they are. Needs root (or sudo).
# --test adds what only the tests need: valgrind (parbench count), chromium (the HTML report is
# checked in a headless browser), clang-format and clang-tidy (the style checks), slurm-wlm and
# munge (the Slurm tests start a private one-node cluster: scripts/slurm_local.sh), iproute2 and
# util-linux (the multi-host test makes hosts of namespaces: scripts/hosts_local.sh).
# --fidelity adds linux-perf: perf bench, the reference scripts/fidelity.sh measures beside.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libbenchmark-dev libfmt-dev catch2 libcli11-dev libfccp-dev
  nlohmann-json3-dev libhwloc-dev libopenmpi-dev openmpi-bin libsqlite3-dev libsqlitecpp-dev
  libboost-dev
  python3 python3-matplotlib
)
if [ "${1:-}" = "--test" ]; then
  packages+=(valgrind chromium clang-format clang-tidy slurm-wlm munge iproute2 util-linux)
fi
if [ "${1:-}" = "--fidelity" ]; then
  packages+=(linux-perf)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
