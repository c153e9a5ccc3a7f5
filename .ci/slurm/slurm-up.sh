#!/usr/bin/env bash
# From ../shared/slurm: a one-node Slurm cluster on loopback for the tests (see .ci/run).
# Start a single-node Slurm cluster on loopback, no systemd. Run as root.
# Afterwards: export SLURM_CONF=${SLURM_DIR:-/tmp/slurm-ci}/slurm.conf ; sbatch/squeue/sinfo work.
set -euo pipefail
SLURM_DIR=${SLURM_DIR:-/tmp/slurm-ci}
HERE=$(cd "$(dirname "$0")" && pwd)
export SLURM_CONF=$SLURM_DIR/slurm.conf

# --- 1. install (Debian bookworm: Slurm 22.05.8, munge 0.5.15) ---
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

# --- 2. leftovers from an earlier run ---
[ -d "$SLURM_DIR" ] && bash "$HERE/slurm-down.sh" || true
rm -rf "$SLURM_DIR"; mkdir -p "$SLURM_DIR"/{state,spool,log}

# --- 3. munge (Slurm's authentication); postinst created the key but started nothing ---
if [ ! -s /etc/munge/munge.key ]; then mungekey --create --force; fi
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key   # munged refuses group/other perms
mkdir -p /run/munge; chown munge:munge /run/munge; chmod 755 /run/munge      # systemd's RuntimeDirectory, made by hand
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged            # must run as user munge (files are owned by it); daemonizes itself
  cat /run/munge/munged.pid > "$SLURM_DIR/munged.pid"   # marks "we started it", so slurm-down.sh stops it
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null

# --- 4. slurm.conf: one node called localhost on 127.0.0.1, no cgroups, no accounting ---
HW=$(slurmd -C | head -n1 | sed 's/^NodeName=[^ ]* //')   # CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=...
EXTRA=
if [ -n "${SLURM_CPUS:-}" ]; then   # optional: advertise more CPUs than the box has, so more array tasks run at once
  HW="CPUs=$SLURM_CPUS RealMemory=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 ))"
  EXTRA=SlurmdParameters=config_overrides
fi
cat > "$SLURM_CONF" <<EOF
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
$EXTRA
NodeName=localhost NodeAddr=127.0.0.1 $HW State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

# --- 5. daemons, foreground mode (-D) in the background; -N localhost: node name != hostname ---
setsid nohup slurmctld -D -f "$SLURM_CONF" >"$SLURM_DIR/log/slurmctld.out" 2>&1 </dev/null &
setsid nohup slurmd -D -N localhost -f "$SLURM_CONF" >"$SLURM_DIR/log/slurmd.out" 2>&1 </dev/null &

# --- 6. wait until the node is idle ---
for _ in $(seq 150); do
  [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ] && break
  sleep 0.2
done
if [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" != idle ]; then
  echo "slurm did not come up" >&2; tail -n 40 "$SLURM_DIR"/log/* >&2; exit 1
fi
echo "slurm up: export SLURM_CONF=$SLURM_CONF"
