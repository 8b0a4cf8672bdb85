/**
 * Values of the second-order model with the RAW Hessian, which is what every
 * method is judged by, whatever matrix it optimized internally.
 */

/** `f(kept)` and `f(empty)` of `f(S) = g_P.sigma_P - 1/2 sigma_P^T H_PP sigma_P`. */
export interface RawObjectiveValues {
  readonly kept: number;
  readonly empty: number;
}

/**
 * Evaluates `f(kept)` and `f(empty)` in one pass over `H` (they share the row
 * products), O(r^2).
 */
export function rawObjectiveValues(
  sigma: Float64Array,
  grad: Float64Array,
  hessian: { readonly data: Float64Array; readonly size: number },
  kept: readonly number[],
): RawObjectiveValues {
  const r = sigma.length;
  const m = hessian.data;
  // sigmaP = sigma on the pruned set P, 0 on the kept set.
  const sigmaP = Float64Array.from(sigma);
  for (const e of kept) sigmaP[e] = 0;
  let linearAll = 0;
  let linearP = 0;
  let quadAll = 0;
  let quadP = 0;
  for (let i = 0; i < r; i++) {
    const base = i * r;
    let rowAll = 0;
    let rowP = 0;
    for (let j = 0; j < r; j++) {
      const h = m[base + j];
      rowAll += h * sigma[j];
      rowP += h * sigmaP[j];
    }
    linearAll += grad[i] * sigma[i];
    linearP += grad[i] * sigmaP[i];
    quadAll += sigma[i] * rowAll;
    quadP += sigmaP[i] * rowP;
  }
  return { kept: linearP - 0.5 * quadP, empty: linearAll - 0.5 * quadAll };
}

/**
 * `gain(e | V - e) = -g_e sigma_e + 1/2 M_ee sigma_e^2` for every e: the gain of
 * keeping `e` last. Only the diagonal of `M` enters, so it is the same for the
 * raw and the projected Hessian. For a submodular objective, f is monotone
 * iff all are >= 0; they also make the greedy bound valid without monotonicity.
 */
export function removalGains(
  sigma: Float64Array,
  grad: Float64Array,
  hessian: { readonly data: Float64Array; readonly size: number },
): Float64Array {
  const r = sigma.length;
  const out = new Float64Array(r);
  for (let e = 0; e < r; e++) {
    const s = sigma[e];
    out[e] = -grad[e] * s + 0.5 * hessian.data[e * r + e] * s * s;
  }
  return out;
}
