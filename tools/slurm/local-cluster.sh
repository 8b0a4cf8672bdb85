#!/usr/bin/env bash
# A single-node Slurm on localhost, for trying generated job arrays for real.
#
#   tools/slurm/local-cluster.sh start   # installs slurm-wlm and munge if missing, starts munged,
#                                        # slurmctld and slurmd; prints the SLURM_CONF to export
#   tools/slurm/local-cluster.sh stop    # stops what start started
#
# Runs as root (Debian's packages; the daemons run as root here). No cgroup
# plugin: processes are tracked by /proc (proctrack/linuxproc) and tasks are
# not confined (task/none). State, logs and slurm.conf live in
# $SLURM_LOCAL_DIR (default /tmp/sublora-slurm).
set -euo pipefail

dir=${SLURM_LOCAL_DIR:-/tmp/sublora-slurm}
conf=$dir/slurm.conf

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

install_packages() {
  command -v slurmctld > /dev/null && command -v munged > /dev/null && return
  [ "$(id -u)" = 0 ] || die "slurm-wlm/munge missing and not root; run as root or install them"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge > /dev/null
}

start_munge() {
  # A munged of our own, on a socket in $dir, so the system's munge (if any) is
  # left alone and stop knows exactly what to end.
  [ -s /etc/munge/munge.key ] || {
    mungekey --create --keyfile /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  }
  mkdir -p "$dir/munge"
  chown munge:munge "$dir/munge"
  chmod 700 "$dir/munge"
  runuser -u munge -- /usr/sbin/munged --force --socket="$dir/munge/socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed"
  for _ in $(seq 50); do munge -S "$dir/munge/socket" -n > /dev/null 2>&1 && return; sleep 0.1; done
  die "munged did not answer; see $dir/munge/munged.log"
}

write_conf() {
  local cpus mem
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ { print int($2 / 1024) - 512 }' /proc/meminfo)
  mkdir -p "$dir/state" "$dir/spool"
  cat > "$conf" << EOF
ClusterName=sublora-local
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/socket
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=${SLURM_LOCAL_PORT:-6817}
SlurmdPort=$((${SLURM_LOCAL_PORT:-6817} + 1))
NodeName=localnode NodeHostname=$(hostname -s) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=localnode Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [ "$(id -u)" = 0 ] || die "start as root (the daemons run as root)"
  install_packages
  mkdir -p "$dir"
  if [ -s "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2> /dev/null; then
    die "already running (pid $(cat "$dir/slurmctld.pid")); run stop first"
  fi
  start_munge
  write_conf
  # -c: start clean, ignoring jobs a previous cluster in this directory left
  slurmctld -c -f "$conf"
  slurmd -N localnode -f "$conf"
  export SLURM_CONF=$conf
  for _ in $(seq 100); do
    if sinfo -h -N -o %T 2> /dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "local-cluster: up; export SLURM_CONF=$conf"
      return
    fi
    sleep 0.2
  done
  die "node did not become idle in 20 s; see $dir/slurmctld.log and $dir/slurmd.log"
}

stop_pidfile() {
  local file=$1 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2> /dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}

stop() {
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
  echo "local-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
