#!/usr/bin/env bash
# Submits the 3 phases of medium as job arrays, each after the previous one succeeded.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p /shared/runs/medium/logs
job0=$(sbatch --parsable phase-0.sbatch)
job0=${job0%%;*}
echo "phase 0: job $job0"
job1=$(sbatch --parsable --dependency=afterok:"$job0" phase-1.sbatch)
job1=${job1%%;*}
echo "phase 1: job $job1"
job2=$(sbatch --parsable --dependency=afterok:"$job1" phase-2.sbatch)
job2=${job2%%;*}
echo "phase 2: job $job2"
