#!/usr/bin/env bash
# CI step: a single-node Slurm on localhost runs the PINN app's smoke grid as
# job arrays (run-smoke.sh). Needs root (to install and start the daemons);
# elsewhere it says so and skips.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
  echo "slurm ci: skipped (needs root to install and start slurm-wlm and munge)"
  exit 0
fi
"$here/local-cluster.sh" start || exit 1
export SLURM_CONF=${SLURM_LOCAL_DIR:-/tmp/sublora-slurm}/slurm.conf
"$here/run-smoke.sh"
status=$?
"$here/local-cluster.sh" stop
exit "$status"
