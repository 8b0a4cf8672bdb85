/**
 * The projection rule, entry by entry, in the one place every kernel of this
 * package takes it from (the tiled pass that materializes `G` or only sums
 * it, and the row-at-a-time view):
 *
 *     G_ij = (H_ij + H_ji) / 2   if i == j or (H_ij + H_ji) sigma_i sigma_j >= 0
 *     G_ij = 0                   otherwise
 *
 * The decision uses the signs of `sigma` only (exact, immune to underflow),
 * and the caller passes the symmetrized value, so `(i, j)` and `(j, i)` get
 * the same decision and `G` is exactly symmetric. The diagonal is `H_ii`.
 */

/** `sign(sigma_i)` for every `i`: the only part of `sigma` the decision needs. */
export function sigmaSigns(sigma: Float64Array): Float64Array {
  const signs = new Float64Array(sigma.length);
  for (let i = 0; i < sigma.length; i++) signs[i] = Math.sign(sigma[i]);
  return signs;
}

/**
 * 1 if the off-diagonal `value` (the symmetrized `H_ij`) may stay, else 0
 * (`value != 0` then). A number, not a boolean: the decisions are close to
 * coin flips, and arithmetic on 0/1 costs less than mispredicted branches.
 */
export function feasibility(value: number, signI: number, signJ: number): number {
  return +(value * signI * signJ >= 0);
}

/**
 * The off-diagonal entry of `G`: `value` when `feasible` is 1, else `+0`.
 * Adding `-0` keeps any value as is (`-0` included); adding `+0` turns the
 * `-0` of a dropped negative value into the `0` the rule asks for.
 */
export function keptEntry(value: number, feasible: number): number {
  return value * feasible + (0.5 - feasible) * 0;
}
