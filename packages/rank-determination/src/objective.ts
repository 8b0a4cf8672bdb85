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
 * `f(kept)` and `f(empty)` from `u = H sigma` and the kept rows of `H`, in
 * O(b r) instead of a pass over `H`:
 *
 *     sigma_P^T H_PP sigma_P = sum_{i in P} sigma_i (u_i - w_i),   w = H sigma_S
 *
 * with `w` summed from the `b` kept rows (`H` symmetric within round-off, so
 * row `e` stands for column `e`). The subtraction is per element, so its
 * round-off is bounded by the row sums `|H_i| |sigma|` of the pruned rows:
 * no cancellation between whole quadratic forms (as in
 * `sigma^T H sigma - 2 sigma_S^T u_S + sigma_S^T H_SS sigma_S`), and keeping
 * nothing (`w = 0`) gives `f(kept) = f(empty)` and keeping everything 0,
 * exactly.
 *
 * @param hSigma - `H sigma` (or `((H + H^T) / 2) sigma`), length `r`
 * @param keptMask - 1 for kept indices, 0 for pruned ones
 */
export function rawObjectiveValues(
  sigma: Float64Array,
  grad: Float64Array,
  hessian: { readonly data: Float64Array; readonly size: number },
  hSigma: Float64Array,
  keptMask: Uint8Array,
): RawObjectiveValues {
  const r = sigma.length;
  const m = hessian.data;
  const keptHSigma = new Float64Array(r); // w = H sigma_S
  for (let e = 0; e < r; e++) {
    if (keptMask[e] === 0) continue;
    const s = sigma[e];
    const base = e * r;
    for (let j = 0; j < r; j++) keptHSigma[j] += m[base + j] * s;
  }
  let linearAll = 0;
  let linearP = 0;
  let quadAll = 0;
  let quadP = 0;
  for (let i = 0; i < r; i++) {
    const linear = grad[i] * sigma[i];
    linearAll += linear;
    quadAll += sigma[i] * hSigma[i];
    if (keptMask[i] === 1) continue;
    linearP += linear;
    quadP += sigma[i] * (hSigma[i] - keptHSigma[i]);
  }
  return { kept: linearP - 0.5 * quadP, empty: linearAll - 0.5 * quadAll };
}

/** `H sigma`, one pass over `H` (for the backend path, whose projection did not make it on the host). */
export function hessianTimesSigma(
  sigma: Float64Array,
  hessian: { readonly data: Float64Array; readonly size: number },
): Float64Array {
  const r = sigma.length;
  const m = hessian.data;
  const out = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    const base = i * r;
    let acc = 0;
    for (let j = 0; j < r; j++) acc += m[base + j] * sigma[j];
    out[i] = acc;
  }
  return out;
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
