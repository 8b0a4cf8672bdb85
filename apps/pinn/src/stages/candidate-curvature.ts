/**
 * The fine-tuning loss's gradient and Hessian w.r.t. the singular values of
 * given SVD views, mid-training: what GeoLoRA's `budget-<method>` truncations
 * (SubLoRA's selection among the candidates of each augmentation) need. The
 * views are padded to `rmax` per layer and written as LoRA-SVD, so every call
 * evaluates one graph, traced and compiled on the first call only.
 */
import type { Graph } from '@sublora/autodiff';
import type { CurvatureHook } from '@sublora/geolora';
import type { MlpShape, ParamValues } from '@sublora/nn';
import { padViews } from '../adapters';
import type { Collocation } from '../geometry';
import type { LossGraphs } from '../model';
import type { PdeDefinition } from '../pdes';
import { type RunContext, graphsFor } from './context';
import { sigmaDerivativeGraph, sigmaDerivatives } from './sigma-derivatives';
import { loraFromViews } from './svd-view';

/** A {@link CurvatureHook} on the loss of `col` over the frozen `base` network. */
export function candidateCurvature(
  ctx: RunContext,
  def: PdeDefinition,
  col: Collocation,
  base: ParamValues,
  shape: MlpShape,
  rmax: number,
): CurvatureHook {
  let compiled: { readonly graphs: LossGraphs; readonly derivs: Graph } | undefined;
  return async (views) => {
    const lora = loraFromViews(shape, base, padViews(views, rmax));
    if (!compiled) {
      const graphs = graphsFor(ctx, def, col, lora.net, lora.params, lora.adapterNames);
      compiled = { graphs, derivs: sigmaDerivativeGraph(ctx, graphs) };
    }
    const { grad, hessian } = await sigmaDerivatives(
      ctx,
      compiled.graphs,
      compiled.derivs,
      lora.params,
    );
    // back to the candidates' own order, without the padding
    const at = views.flatMap((view, i) => Array.from(view.sigma, (_, j) => i * rmax + j));
    const padded = rmax * views.length;
    const n = at.length;
    const h = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) h[a * n + b] = hessian[at[a] * padded + at[b]];
    return { grad: Float64Array.from(at, (k) => grad[k]), hessian: { data: h, size: n } };
  };
}
