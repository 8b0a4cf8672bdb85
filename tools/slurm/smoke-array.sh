#!/usr/bin/env bash
# Runs a 2-phase smoke grid (3 "pretrain" tasks, then 3 "fine-tune" tasks
# that need them) as Slurm job arrays chained with afterok, using the
# scripts the app generates (apps/pinn/src/grid/slurm.ts), and checks every
# task committed its shard. Needs a cluster: `tools/slurm/local-cluster.sh
# start` first (it prints the SLURM_CONF to export), or a real one with a
# file system shared with this machine (set SMOKE_RUN_DIR there).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run=${SMOKE_RUN_DIR:-$(mktemp -d /tmp/sublora-slurm-smoke.XXXXXX)}
timeout_s=${SMOKE_TIMEOUT_S:-180}

command -v sbatch > /dev/null || {
  echo "smoke-array: no sbatch; run tools/slurm/local-cluster.sh start and export SLURM_CONF" >&2
  exit 1
}
node "$here/smoke-grid.js" plan "$run"
bash "$run/slurm/submit.sh" | tee "$run/submitted.txt"
jobs=$(awk '{ print $NF }' "$run/submitted.txt" | paste -sd,)

# wait until none of our jobs is pending or running
deadline=$((SECONDS + timeout_s))
while [ -n "$(squeue -h -j "$jobs" -o %i 2> /dev/null)" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "smoke-array: jobs $jobs still queued after ${timeout_s} s" >&2
    squeue -j "$jobs" >&2 || true
    exit 1
  fi
  sleep 1
done
node "$here/smoke-grid.js" check "$run"
echo "smoke-array: ok ($run)"
