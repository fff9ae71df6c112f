#!/usr/bin/env bash
# A single-node Slurm 22.05 cluster for testing robustcl's Slurm launcher on this machine.
#
#   scripts/slurm-test-cluster.sh start    install Slurm and munge from Debian if missing (root),
#                                          configure one node with 2 CPUs and 2 fake GPUs, start
#                                          munged, slurmctld and slurmd, wait until the node is idle
#   scripts/slurm-test-cluster.sh stop     cancel its jobs, stop only the daemons it started
#   scripts/slurm-test-cluster.sh env      print the variables a client needs (SLURM_CONF)
#
# Everything lives in $ROBUSTCL_SLURM_DIR (default /tmp/robustcl-slurm): configuration, state,
# logs and PID files. Nothing under /etc/slurm is written; the munge key is Debian's
# /etc/munge/munge.key (created when missing). Clients find the cluster through
# SLURM_CONF=$ROBUSTCL_SLURM_DIR/slurm.conf (`eval "$(scripts/slurm-test-cluster.sh env)"`).
# Facts behind the settings: ../shared/SLURM-NOTES.md.
set -euo pipefail

DIR=${ROBUSTCL_SLURM_DIR:-/tmp/robustcl-slurm}
HOST=$(hostname -s)
CTLD_PORT=${ROBUSTCL_SLURM_PORT:-16817}

say() { echo "slurm-test-cluster: $*" >&2; }

install_packages() {
  local missing=()
  for bin in slurmctld slurmd sbatch munged; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    say "missing ${missing[*]}: run as root, or apt-get install --no-install-recommends slurmctld slurmd slurm-client munge"
    exit 1
  fi
  say "installing slurmctld slurmd slurm-client munge from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null; }
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_config() {
  mkdir -p "$DIR"/state "$DIR"/spool "$DIR"/log
  local mem cgroup_ok=yes
  mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 2048 ))
  [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/freezer ] || cgroup_ok=no
  for i in 0 1; do [ -e "$DIR/fakegpu$i" ] || mknod "$DIR/fakegpu$i" c 1 3; done
  {
    echo "ClusterName=robustcl-test"
    echo "SlurmctldHost=$HOST(127.0.0.1)"
    echo "SlurmctldPort=$CTLD_PORT"
    echo "SlurmdPort=$((CTLD_PORT + 1))"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "StateSaveLocation=$DIR/state"
    echo "SlurmdSpoolDir=$DIR/spool"
    echo "SlurmctldPidFile=$DIR/slurmctld.pidfile"
    echo "SlurmdPidFile=$DIR/slurmd.pidfile"
    echo "SlurmctldLogFile=$DIR/log/slurmctld.log"
    echo "SlurmdLogFile=$DIR/log/slurmd.log"
    if [ "$cgroup_ok" = yes ]; then
      echo "ProctrackType=proctrack/cgroup"
      echo "TaskPlugin=task/cgroup,task/affinity"
    else
      echo "ProctrackType=proctrack/linuxproc"
      echo "TaskPlugin=task/none"
    fi
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_CPU_Memory"
    echo "DefMemPerCPU=4096"
    echo "EnforcePartLimits=ALL"
    echo "SchedulerParameters=bf_interval=1,sched_interval=1"
    echo "GresTypes=gpu"
    # no accounting daemon: final states come from the job completion log and scontrol
    echo "JobCompType=jobcomp/filetxt"
    echo "JobCompLoc=$DIR/log/jobcomp.txt"
    echo "MinJobAge=300"
    echo "KillWait=2"
    echo "OverTimeLimit=0"
    echo "InactiveLimit=0"
    echo "ReturnToService=2"
    echo "MpiDefault=none"
    echo "NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem Gres=gpu:2 State=UNKNOWN"
    echo "PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP"
  } > "$DIR/slurm.conf"
  echo "Name=gpu File=$DIR/fakegpu[0-1]" > "$DIR/gres.conf"
  if [ "$cgroup_ok" = yes ]; then
    printf 'CgroupPlugin=cgroup/v1\nConstrainRAMSpace=yes\nConstrainCores=no\n' > "$DIR/cgroup.conf"
  fi
}

start_munge() {
  if pgrep -x munged >/dev/null 2>&1; then
    say "munged already runs (not started by this script, so stop leaves it)"
    return 0
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- munged -F > "$DIR/log/munged.out" 2>&1 &
  echo $! > "$DIR/munged.pid"
  for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && return 0; sleep 0.1; done
  say "munged did not start: see $DIR/log/munged.out"; exit 1
}

start() {
  install_packages
  if alive "$DIR/slurmctld.pid"; then say "already running ($DIR)"; return 0; fi
  write_config
  export SLURM_CONF="$DIR/slurm.conf"
  start_munge
  # -c: a test cluster starts with no jobs from an earlier life (its daemons may have been killed)
  rm -rf "$DIR"/spool/*
  slurmctld -D -c -f "$SLURM_CONF" > "$DIR/log/slurmctld.out" 2>&1 &
  echo $! > "$DIR/slurmctld.pid"
  slurmd -D -f "$SLURM_CONF" > "$DIR/log/slurmd.out" 2>&1 &
  echo $! > "$DIR/slurmd.pid"
  for _ in $(seq 100); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      say "up: $(sinfo -h -N -o '%N %T %c CPUs %G') ($DIR)"
      return 0
    fi
    sleep 0.2
  done
  say "the node did not come up; logs in $DIR/log"; sinfo -N -l >&2 || true; exit 1
}

stop() {
  export SLURM_CONF="$DIR/slurm.conf"
  # jobs outlive slurmd, so cancel them first and give slurmd a moment to clean up
  if alive "$DIR/slurmctld.pid"; then
    scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 25); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for d in slurmd slurmctld munged; do
    if alive "$DIR/$d.pid"; then
      kill "$(cat "$DIR/$d.pid")" 2>/dev/null || true
      for _ in $(seq 50); do alive "$DIR/$d.pid" || break; sleep 0.1; done
      alive "$DIR/$d.pid" && kill -9 "$(cat "$DIR/$d.pid")" 2>/dev/null || true
    fi
    rm -f "$DIR/$d.pid"
  done
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$DIR/slurm.conf" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
