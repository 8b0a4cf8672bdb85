/** Stage 3: training-free rank determination (Alg. 3) across methods and budgets. */
import { type ParamValues, type SvdView, SIGMA } from '@sublora/nn';
import { determineRanks } from '@sublora/rank-determination';
import { budgetCount, totalRank } from '../config';
import { type LossGraphs } from '../model';
import { PDES, type PdeDefinition, type PdeName, type Lambda } from '../pdes';
import { type DeterminationResult, type DeterminationRow, lambdaKey } from '../results';
import { deriveSeed } from '../seeds';
import {
  type RunContext,
  progress,
  saveResults,
  checkStop,
  evaluateError,
  collocationFor,
  graphsFor,
} from './context';
import { summarizeCurvature } from './curvature';
import { type Adapted, ensureFinetuned } from './finetune';
import { sigmaDerivativeGraph, sigmaDerivatives, lossAt, keepMask } from './sigma-derivatives';
import { loraFromViews } from './svd-view';

/** The fine-tuned model as LoRA-SVD through its SVD view, with loss graphs (the model itself for LoRA-SVD). */
function asLoraSvd(
  ctx: RunContext,
  def: PdeDefinition,
  lambda: Lambda,
  seed: number,
  model: Adapted & { readonly graphs: LossGraphs },
  views: readonly SvdView[],
): { readonly params: ParamValues; readonly graphs: LossGraphs } {
  if (model.net.lora) return model;
  const base = Object.fromEntries(
    Object.entries(model.params).filter(([k]) => !model.adapterNames.includes(k)),
  );
  const view = loraFromViews(model.net.shape, base, views);
  const col = collocationFor(ctx, def, lambda, seed);
  return {
    params: view.params,
    graphs: graphsFor(ctx, def, col, view.net, view.params, view.adapterNames),
  };
}

/**
 * Training-free rank determination (Alg. 3) with every configured method and
 * budget. g and H are taken through the adapter's SVD view written as
 * LoRA-SVD (the model itself for LoRA-SVD); each selection is written back
 * by the adapter's own `prune` and measured on the adapted network.
 */
export async function runDetermination(
  ctx: RunContext,
  pde: PdeName,
  seed: number,
  lambda: Lambda,
): Promise<DeterminationResult> {
  const def = PDES[pde];
  const { config } = ctx;
  const key = `${pde}/${lambdaKey(lambda)}/seed${seed}`;
  const finished = ctx.results.determination[key];
  if (finished) return finished;
  const model = await ensureFinetuned(ctx, pde, seed, lambda);
  const stage = `${pde}/determine-${lambdaKey(lambda)}-seed${seed}`;
  const label = `${pde} determine ${lambdaKey(lambda)} seed ${seed}`;
  // Determination keeps no checkpoint: a rerun measures every row again.
  ctx.metrics.rewind(stage, 0);
  const r = totalRank(config);
  const svd = model.adapter.svd(config, model.net);
  const views = svd.svdView(model.params);
  const layers = views.map((v) => v.sigma.length);
  const viewed = asLoraSvd(ctx, def, lambda, seed, model, views);

  const started = Date.now();
  const derivs = sigmaDerivativeGraph(ctx, viewed.graphs);
  const { grad, hessian } = await sigmaDerivatives(ctx, viewed.graphs, derivs, viewed.params);
  const derivativeSeconds = (Date.now() - started) / 1000;
  const loss = await lossAt(ctx, model.graphs, model.params);
  const sigma = viewed.params[SIGMA].data;
  const curvature = summarizeCurvature(sigma, grad, hessian);
  const relErrorFinetuned = await evaluateError(ctx, def, lambda, model.net, model.params);

  const rows: DeterminationRow[] = [];
  const methods = config.determination.methods;
  const budgets = config.determination.budgets.map((b) => budgetCount(config, b));
  const bar = progress(
    ctx,
    `${pde} determine ${lambdaKey(lambda)} seed ${seed}`,
    methods.length * budgets.length,
  );
  for (const method of methods) {
    for (const budget of budgets) {
      checkStop(ctx, label);
      const t0 = process.hrtime.bigint();
      const res = await determineRanks({
        sigma,
        grad,
        hessian: { data: hessian, size: r },
        budget,
        method,
        layers,
        seed: deriveSeed(seed, 'sublora-r'),
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const pruned = svd.prune(model.params, keepMask(r, res.kept));
      const lossAfter = await lossAt(ctx, model.graphs, pruned);
      const relErrorAfter = await evaluateError(ctx, def, lambda, model.net, pruned);
      const row: DeterminationRow = {
        method,
        budget,
        kept: res.kept,
        perLayer: res.perLayer ?? [],
        lossAfter,
        relErrorAfter,
        predictedIncrease: res.predictedLossChange,
        measuredIncrease: lossAfter - loss,
        seconds,
        rawSubmodular: res.diagnostics.rawSubmodular,
        ...(res.certificate ? { certificateRatio: res.certificate.ratio } : {}),
      };
      rows.push(row);
      ctx.metrics.write({ kind: 'determination', stage, pde, seed, lambda, ...row });
      bar.update(rows.length, { budget, rel: relErrorAfter });
    }
  }
  bar.finish();
  const result: DeterminationResult = {
    pde,
    seed,
    lambda,
    lossFinetuned: loss,
    relErrorFinetuned,
    derivativeSeconds,
    curvature,
    rows,
  };
  ctx.results.determination[key] = result;
  saveResults(ctx);
  return result;
}
