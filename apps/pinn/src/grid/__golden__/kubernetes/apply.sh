#!/usr/bin/env bash
# Applies the 3 phases of medium in order: Jobs cannot depend on each other.
set -euo pipefail
cd "$(dirname "$0")"
kubectl apply --namespace research -f phase-0.yaml
kubectl wait --namespace research --for=condition=complete --timeout=5400s job/medium-phase-0
kubectl apply --namespace research -f phase-1.yaml
kubectl wait --namespace research --for=condition=complete --timeout=10800s job/medium-phase-1
kubectl apply --namespace research -f phase-2.yaml
kubectl wait --namespace research --for=condition=complete --timeout=21600s job/medium-phase-2
