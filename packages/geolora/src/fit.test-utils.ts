/**
 * Matrix fitting `L = 1/2 sum_l ||T_l - U_l S_l V_l^T||_F^2` for the tests:
 * closed-form gradients on the host (`G_W = W - T`, `G_U = G_W V S^T`,
 * `G_S = U^T G_W V`, `G_V = G_W^T U S`, all at `rmax` storage) and the same
 * loss as an autodiff graph.
 */
import { type Value, constant, matmul, mul, spec, sub, sum, trace } from '@sublora/autodiff';
import { type Matrix, matmul as hostMatmul, matrix } from '@sublora/linalg';
import type { GeoloraGrads, GeoloraState } from './index';
import { geoloraNames } from './index';

const at = (state: GeoloraState, name: string): Matrix => {
  const p = state.params[name];
  return matrix(p.shape[0], p.shape[1], p.data);
};

/** The dense update `U S V^T` of adapted layer `i`. */
export function denseUpdate(state: GeoloraState, i: number): Matrix {
  const n = geoloraNames(state.config.layers[i]);
  return hostMatmul(hostMatmul(at(state, n.u), at(state, n.s)), at(state, n.v), {
    transposeB: true,
  });
}

/** Loss and closed-form gradients of fitting `targets` (one per adapted layer). */
export function fitLossAndGrads(
  state: GeoloraState,
  targets: readonly Matrix[],
): { loss: number; grads: Record<string, Float64Array> } {
  let loss = 0;
  const grads: Record<string, Float64Array> = {};
  state.config.layers.forEach((l, i) => {
    const n = geoloraNames(l);
    const w = denseUpdate(state, i);
    const gw = matrix(
      w.rows,
      w.cols,
      w.data.map((x, k) => x - targets[i].data[k]),
    );
    for (const x of gw.data) loss += (x * x) / 2;
    const u = at(state, n.u);
    const s = at(state, n.s);
    const v = at(state, n.v);
    grads[n.u] = hostMatmul(hostMatmul(gw, v), s, { transposeB: true }).data;
    grads[n.s] = hostMatmul(hostMatmul(u, gw, { transposeA: true }), v).data;
    grads[n.v] = hostMatmul(hostMatmul(gw, u, { transposeA: true }), s).data;
  });
  return { loss, grads };
}

/** The fitting loss of one layer as a graph of `(U, S, V)`. */
export function fitGraph(target: Matrix, rmax: number) {
  return trace(
    [spec('U', [target.rows, rmax]), spec('S', [rmax, rmax]), spec('V', [target.cols, rmax])],
    (u: Value, s: Value, v: Value) => {
      const t = constant(target.data, [target.rows, target.cols]);
      const d = sub(matmul(matmul(u, s), v, { transposeB: true }), t);
      return mul(sum(mul(d, d)), 0.5);
    },
  );
}

/** `grads` keyed as the step wants them, from the three gradients of {@link fitGraph}. */
export function asGrads(state: GeoloraState, gs: readonly Float64Array[]): GeoloraGrads {
  const n = geoloraNames(state.config.layers[0]);
  return { [n.u]: gs[0], [n.s]: gs[1], [n.v]: gs[2] };
}
