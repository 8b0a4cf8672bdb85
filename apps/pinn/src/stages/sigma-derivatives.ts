/**
 * Loss, gradient and Hessian with respect to the singular values, and the
 * loss of pruned parameters: what rank determination measures.
 */
import { adjointCutsPay, type Graph } from '@sublora/autodiff';
import { type ParamValues } from '@sublora/nn';
import { type LossGraphs, buildSigmaDerivatives } from '../model';
import { GraphInputs } from '../train';
import { type RunContext } from './context';

/** The `[loss, g, H]` graph for `ctx`'s backend: adjoint cuts where they pay (`adjointCutsPay`). */
export function sigmaDerivativeGraph(ctx: RunContext, graphs: LossGraphs): Graph {
  return buildSigmaDerivatives(graphs, { adjointCuts: adjointCutsPay(ctx.backend) });
}

/** Loss, g and H w.r.t. sigma at the current parameters (all parameters as graph inputs). */
export async function sigmaDerivatives(
  ctx: RunContext,
  graphs: LossGraphs,
  derivs: Graph,
  params: ParamValues,
): Promise<{ loss: number; grad: Float64Array; hessian: Float64Array }> {
  const inputs = new GraphInputs(ctx.backend, graphs, params, new Set(graphs.paramNames));
  try {
    const [loss, grad, hessian] = await inputs.run(derivs);
    return { loss: loss[0], grad, hessian };
  } finally {
    inputs.dispose();
  }
}

export async function lossAt(
  ctx: RunContext,
  graphs: LossGraphs,
  params: ParamValues,
): Promise<number> {
  const inputs = new GraphInputs(ctx.backend, graphs, params, new Set(graphs.paramNames));
  try {
    return (await inputs.run(graphs.loss))[0][0];
  } finally {
    inputs.dispose();
  }
}

export function keepMask(r: number, kept: readonly number[]): Uint8Array {
  const mask = new Uint8Array(r);
  for (const i of kept) mask[i] = 1;
  return mask;
}
