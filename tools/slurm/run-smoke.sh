#!/usr/bin/env bash
# The PINN app's smoke grid through real Slurm job arrays: plans it with
# `experiment --executor slurm`, submits the generated scripts (phases chained
# with afterok), waits for the queue to drain, merges the shards and checks
# the merged results against the same grid run in one process.
# Needs a running Slurm (local-cluster.sh start) and SLURM_CONF set.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/sublora-slurm-smoke.XXXXXX)
# the generated scripts run `sublora-pinn worker`: the workspace's bin link
export PATH="$repo/node_modules/.bin:$PATH"
args=(--preset smoke --pde elliptic --backend reference --quiet --out "$work")

sublora-pinn experiment "${args[@]}" --name serial --parallel 1 > /dev/null
sublora-pinn experiment "${args[@]}" --name grid --executor slurm --parallel 2
bash "$work/grid/slurm/submit.sh"
for _ in $(seq 1 600); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 1
done
if [ -n "$(squeue -h)" ]; then
  echo "run-smoke: the queue did not drain in 10 minutes" >&2
  squeue >&2
  exit 1
fi
sublora-pinn merge --run "$work/grid"
node -e '
const fs = require("fs");
const read = (f) => JSON.stringify(JSON.parse(fs.readFileSync(f, "utf8")),
  (k, v) => (["seconds", "derivativeSeconds", "name"].includes(k) ? undefined : v));
const [a, b] = process.argv.slice(1);
if (read(a) !== read(b)) { console.error("run-smoke: Slurm results differ from the serial run"); process.exit(1); }
console.log("run-smoke: Slurm grid merged to the serial results");
' "$work/serial/results.json" "$work/grid/results.json"
rm -rf "$work"
