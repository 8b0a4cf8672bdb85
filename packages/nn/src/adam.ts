/**
 * Adam (Kingma and Ba) with bias correction, on host float64 parameters.
 *
 *     m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
 *     p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * Frozen entries (a 0/1 mask per parameter, 1 = frozen) are held at zero and
 * their moments reset, so a value pruned with the `frozen` mask policy
 * re-enters training from a clean state if it is later unfrozen.
 */
import { InputError } from '@sublora/tensor';
import { type ParamValues, sizeOf } from './params';

/** Adam hyper-parameters (defaults: 0.9, 0.999, 1e-8). */
export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/** Moments and step count; saved in checkpoints to resume exactly. */
export interface AdamState {
  /** Steps taken so far. */
  t: number;
  readonly m: Record<string, Float64Array>;
  readonly v: Record<string, Float64Array>;
}

/** Zero moments for the named parameters. */
export function createAdamState(
  params: ParamValues,
  names: readonly string[] = Object.keys(params),
): AdamState {
  const m: Record<string, Float64Array> = {};
  const v: Record<string, Float64Array> = {};
  for (const n of names) {
    m[n] = new Float64Array(sizeOf(params[n].shape));
    v[n] = new Float64Array(sizeOf(params[n].shape));
  }
  return { t: 0, m, v };
}

/**
 * One Adam step, updating `params` in place for every name in `state`.
 * Every gradient is checked before anything is written: a refused step
 * leaves the parameters and the moments as they were.
 * @param grads - a gradient per trained parameter, same sizes
 * @param frozen - optional masks: entries where the mask is 1 are set to 0 and not updated
 * @throws Error for a gradient of the wrong size; InputError for an entry
 *   that is not finite or whose square overflows (|g| above about 1.3e154:
 *   `v` would become Infinity and freeze the entry for good)
 */
export function adamStep(
  state: AdamState,
  params: ParamValues,
  grads: Readonly<Record<string, ArrayLike<number>>>,
  lr: number,
  options: AdamOptions = {},
  frozen: Readonly<Record<string, ArrayLike<number>>> = {},
): void {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  for (const name of Object.keys(state.m)) {
    const size = params[name].data.length;
    const g = grads[name];
    if (g === undefined || g.length !== size) {
      throw new Error(
        `adamStep: gradient for '${name}' has ${g === undefined ? 'no' : g.length} entries but the parameter has ${size}`,
      );
    }
    const mask = frozen[name];
    for (let i = 0; i < g.length; i++)
      if (!Number.isFinite(g[i] * g[i]) && !(mask !== undefined && mask[i]))
        throw new InputError(
          `gradient ${name}`,
          Number.isFinite(g[i])
            ? `entry ${i} is ${g[i]}, whose square overflows Adam's second moment; lower the learning rate or rescale the loss`
            : `entry ${i} is ${g[i]}; lower the learning rate or check the loss`,
        );
  }
  state.t += 1;
  const c1 = 1 - b1 ** state.t;
  const c2 = 1 - b2 ** state.t;
  for (const name of Object.keys(state.m)) {
    const p = params[name].data;
    const g = grads[name];
    const m = state.m[name];
    const v = state.v[name];
    const mask = frozen[name];
    for (let i = 0; i < p.length; i++) {
      if (mask !== undefined && mask[i]) {
        p[i] = 0;
        m[i] = 0;
        v[i] = 0;
        continue;
      }
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}
