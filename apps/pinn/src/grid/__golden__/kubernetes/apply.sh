#!/usr/bin/env bash
# Applies the 3 phases of medium in order: Jobs cannot depend on each other.
set -euo pipefail
cd "$(dirname "$0")"

# wait_job NAME SECONDS: until the Job is Complete; fails at once when it is Failed
wait_job() {
  local deadline=$((SECONDS + $2)) state
  while :; do
    state=$(kubectl get --namespace research "job/$1" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}')
    case " $state " in
      *" Complete "*) return 0 ;;
      *" Failed "*) echo "apply.sh: job $1 failed; see kubectl logs --namespace research -l job-name=$1" >&2; return 1 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "apply.sh: job $1 not complete after $2 s" >&2
      return 1
    fi
    sleep 10
  done
}

kubectl apply --namespace research -f phase-0.yaml
wait_job medium-phase-0 5400
kubectl apply --namespace research -f phase-1.yaml
wait_job medium-phase-1 10800
kubectl apply --namespace research -f phase-2.yaml
wait_job medium-phase-2 21600
