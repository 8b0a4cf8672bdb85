#!/bin/bash
# Reproduces docs/results/geolora-small: the `small` elliptic problem, 3 seeds,
# eleven runs on the same pretrained networks (about 7 min on a 2-core machine),
# then the comparison table. Run from the repository root after building apps/pinn.
set -euo pipefail
out=${1:-runs/geolora-small}
pinn="node apps/pinn/bin/sublora-pinn.js"
common="experiment --preset small --pde elliptic --quiet --out $out"
noalt="--set alternating.methods=[] --set alternating.adaloraBaseline=false"
geo="$noalt --set adapter=geolora"
slow="--set optimizer.finetune.lr=2e-3"
mag="--set geolora.truncation=budget-magnitude --set geolora.budget=6"
sub="--set geolora.truncation=budget-sublora-g --set geolora.budget=6"
adam="--set geolora.optimizer=adam --set geolora.augmentEvery=10"
$pinn $common --name lora-svd --set 'alternating.methods=["sublora-g"]'
$pinn $common --name polar-landing $noalt --set adapter=polar
$pinn $common --name geolora-tau-paper $geo
$pinn $common --name geolora-budget-magnitude $geo $mag
$pinn $common --name geolora-budget-sublora-g $geo $sub
$pinn $common --name geolora-tau-paper-lr2e-3 $geo $slow
$pinn $common --name geolora-tau-authors-lr2e-3 $geo $slow --set geolora.rule=authors
$pinn $common --name geolora-budget-magnitude-lr2e-3 $geo $slow $mag
$pinn $common --name geolora-budget-sublora-g-lr2e-3 $geo $slow $sub
$pinn $common --name geolora-adam-budget-magnitude $geo $adam $mag
$pinn $common --name geolora-adam-budget-sublora-g $geo $adam $sub
cd "$out"
node "$OLDPWD/apps/pinn/bin/sublora-pinn.js" compare lora-svd polar-landing \
  geolora-tau-paper geolora-budget-magnitude geolora-budget-sublora-g \
  geolora-tau-paper-lr2e-3 geolora-tau-authors-lr2e-3 geolora-budget-magnitude-lr2e-3 \
  geolora-budget-sublora-g-lr2e-3 geolora-adam-budget-magnitude geolora-adam-budget-sublora-g \
  --file comparison.md
