/**
 * LoRA in SVD form (AdaLoRA): an adapted layer computes
 *
 *     W = W0 + U diag(sigma) V,   U: [out, r],  V: [r, in],  sigma: [r]
 *
 * with W0 frozen and U, sigma, V trained. The singular values of all adapted
 * layers live in ONE vector `lora.sigma` (layer after layer, `rank` each), so
 * the gradient and Hessian of the loss w.r.t. that input are exactly the `g`
 * and `H` that rank determination needs.
 *
 * Initialisation (AdaLoRA): sigma = 0, U and V entries N(0, initScale^2)
 * (AdaLoRA uses 0.02). With sigma = 0 the adapted network equals the
 * pretrained one at the start of fine-tuning; sigma moves first (its gradient
 * u_i^T G v_i is nonzero), U and V follow.
 *
 * Pruning masks act on sigma only, on the host: a pruned entry is set to 0.
 * What happens during later training is the caller's policy (see
 * `MaskPolicy`): `free` (paper, Alg. 4) lets pruned values train again and
 * come back until the next rank determination decides afresh; `frozen` keeps
 * them at exactly 0 (Adam skips them and resets their moments).
 *
 * Deployment: {@link mergeLora} folds U diag(sigma * keep) V into W0, giving a
 * plain MLP with the same function and no extra cost at inference.
 */
import {
  add,
  constant,
  matmul,
  mul,
  reshape,
  slice,
  square,
  sub,
  sum,
  type Value,
} from '@sublora/autodiff';
import { type MlpShape, type TracedLinear, denseLinear, layerNames, layerSizes } from './mlp';
import { type ParamValues, cloneParams } from './params';
import type { Random } from '@sublora/tensor';

/** What to do with pruned singular values during training. */
export type MaskPolicy = 'free' | 'frozen';

/** Which layers get LoRA and with what rank. */
export interface LoraShape {
  /** Indices of adapted layers (weights `W<l>`); the paper adapts the hidden-to-hidden ones, 1..depth-1. */
  readonly layers: readonly number[];
  /** Rank per adapted layer. */
  readonly rank: number;
}

/** The hidden-to-hidden layers of an MLP: 1 .. depth-1. */
export function hiddenToHidden(shape: MlpShape): number[] {
  return Array.from({ length: shape.depth - 1 }, (_, i) => i + 1);
}

/** Parameter names: `lora.U<l>`, `lora.V<l>`, and the shared `lora.sigma`. */
export function loraNames(l: number): { u: string; v: string } {
  return { u: `lora.U${l}`, v: `lora.V${l}` };
}

/** The name of the concatenated singular values. */
export const SIGMA = 'lora.sigma';

/** Total number of singular values r = rank x adapted layers. */
export function loraSize(lora: LoraShape): number {
  return lora.rank * lora.layers.length;
}

/** Range of layer `l`'s singular values inside `lora.sigma`. */
export function sigmaRange(lora: LoraShape, l: number): { start: number; end: number } {
  const i = lora.layers.indexOf(l);
  if (i < 0)
    throw new RangeError(`layer ${l} is not adapted; adapted layers: ${lora.layers.join(', ')}`);
  return { start: i * lora.rank, end: (i + 1) * lora.rank };
}

/** Initial LoRA parameters (see the module comment). */
export function initLora(
  shape: MlpShape,
  lora: LoraShape,
  rng: Random,
  initScale = 0.02,
): ParamValues {
  const sizes = layerSizes(shape);
  if (!Number.isInteger(lora.rank) || lora.rank < 1)
    throw new RangeError(`lora.rank: ${lora.rank} is not a positive integer`);
  const params: ParamValues = {};
  for (const l of lora.layers) {
    const size = sizes[l];
    if (size === undefined)
      throw new RangeError(
        `lora.layers: layer ${l} does not exist (the MLP has layers 0..${sizes.length - 1})`,
      );
    const [out, inn] = size;
    const { u, v } = loraNames(l);
    params[u] = {
      shape: [out, lora.rank],
      data: Float64Array.from({ length: out * lora.rank }, () => initScale * rng.normal()),
    };
    params[v] = {
      shape: [lora.rank, inn],
      data: Float64Array.from({ length: lora.rank * inn }, () => initScale * rng.normal()),
    };
  }
  params[SIGMA] = { shape: [loraSize(lora)], data: new Float64Array(loraSize(lora)) };
  return params;
}

/** A traced LoRA-SVD layer: `h W0^T + ((h V^T) * sigma) U^T`, never forming the dense update. */
export function loraLinear(w0: Value, bias: Value, u: Value, sigma: Value, v: Value): TracedLinear {
  return {
    apply: (h) =>
      add(
        matmul(h, w0, { transposeB: true }),
        matmul(mul(matmul(h, v, { transposeB: true }), sigma), u, { transposeB: true }),
      ),
    bias,
  };
}

/**
 * The traced layers of an MLP whose `lora.layers` are LoRA-adapted.
 * @param values - bound values for every `W<l>`, `b<l>`, `lora.U<l>`, `lora.V<l>` and `lora.sigma`
 */
export function loraLayers(
  shape: MlpShape,
  lora: LoraShape,
  values: Readonly<Record<string, Value>>,
): TracedLinear[] {
  return layerSizes(shape).map((_, l) => {
    const { weight, bias } = layerNames(l);
    if (!lora.layers.includes(l)) return denseLinear(values[weight], values[bias]);
    const { u, v } = loraNames(l);
    const { start } = sigmaRange(lora, l);
    const sigma = reshape(slice(values[SIGMA], [start], [lora.rank]), [1, lora.rank]);
    return loraLinear(values[weight], values[bias], values[u], sigma, values[v]);
  });
}

/**
 * AdaLoRA's orthogonality regulariser ||U^T U - I||_F^2 + ||V V^T - I||_F^2,
 * which keeps U and V close to orthonormal so sigma behaves like singular values.
 */
export function orthogonalityPenalty(u: Value, v: Value): Value {
  const r = u.shape[1];
  const eye = constant(
    Array.from({ length: r * r }, (_, i) => (Math.floor(i / r) === i % r ? 1 : 0)),
    [r, r],
    u.dtype,
  );
  const uu = sub(matmul(u, u, { transposeA: true }), eye);
  const vv = sub(matmul(v, v, { transposeB: true }), eye);
  return add(sum(square(uu)), sum(square(vv)));
}

/**
 * Folds the LoRA update into the base weights for deployment:
 * `W<l> <- W<l> + U diag(sigma * keep) V`, returning plain MLP parameters.
 * @param keep - optional 0/1 per singular value (1 = kept); default keeps all
 */
export function mergeLora(
  base: ParamValues,
  adapter: ParamValues,
  lora: LoraShape,
  keep?: ArrayLike<number>,
): ParamValues {
  const merged = cloneParams(base);
  const sigma = adapter[SIGMA].data;
  for (const l of lora.layers) {
    const w = merged[layerNames(l).weight];
    const [out, inn] = w.shape;
    const { u, v } = loraNames(l);
    const U = adapter[u].data;
    const V = adapter[v].data;
    const { start } = sigmaRange(lora, l);
    for (let k = 0; k < lora.rank; k++) {
      const s = sigma[start + k] * (keep === undefined ? 1 : keep[start + k]);
      if (s === 0) continue;
      for (let i = 0; i < out; i++) {
        const ui = U[i * lora.rank + k] * s;
        if (ui === 0) continue;
        for (let j = 0; j < inn; j++) w.data[i * inn + j] += ui * V[k * inn + j];
      }
    }
  }
  return merged;
}

/** Sets pruned singular values to 0 in place (`keep[i] = 0` prunes entry i). */
export function applyKeepMask(adapter: ParamValues, keep: ArrayLike<number>): void {
  const sigma = adapter[SIGMA].data;
  if (keep.length !== sigma.length)
    throw new RangeError(`keep: has ${keep.length} entries but lora.sigma has ${sigma.length}`);
  for (let i = 0; i < sigma.length; i++) if (!keep[i]) sigma[i] = 0;
}
