/**
 * The closed-form projection of a Hessian onto the sign constraints that
 * make the SubLoRA objective submodular (Theorem 2):
 *
 *     G_ij = H_ij   if i == j or H_ij sigma_i sigma_j >= 0
 *     G_ij = 0      otherwise
 *
 * The constraints act on each off-diagonal entry separately (`G_ij` must lie
 * in the half-line `{x : x sigma_i sigma_j >= 0}`) and the Frobenius norm is a
 * sum over entries, so the nearest feasible matrix is found entry by entry: an
 * entry already in its half-line stays, one outside goes to the half-line's
 * end point, 0. The diagonal is unconstrained and stays.
 */
import { assertSymmetric, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import type { MatrixLike, VectorLike } from '@sublora/tensor';

/** What a projection removed. */
export interface ProjectionReport {
  /** Off-diagonal entries set to 0, counting `(i, j)` and `(j, i)` separately. */
  readonly removedEntries: number;
  /** Unordered pairs `{i, j}` removed: `removedEntries / 2`. */
  readonly removedPairs: number;
  /** `||H - G||_F`. */
  readonly frobeniusDistance: number;
  /** `||H - G||_F / ||H||_F` (0 when `H = 0`). */
  readonly relativeFrobeniusDistance: number;
}

/** Result of {@link projectHessian}. */
export interface HessianProjection {
  /** The projected matrix `G`, row-major, symmetric. */
  readonly projected: { readonly data: Float64Array; readonly size: number };
  /** What the projection removed. */
  readonly report: ProjectionReport;
}

/** Options of {@link projectHessian}. */
export interface ProjectHessianOptions {
  /**
   * Relative symmetry tolerance for the input check (default 1e-8, see
   * `assertSymmetric`). Within it, `H` is replaced by `(H + H^T) / 2` first so
   * the decision for `(i, j)` and `(j, i)` is the same.
   */
  readonly symmetryTolerance?: number;
}

/**
 * Projects `hessian` onto `{G : G_ij sigma_i sigma_j >= 0 for i != j}`, the
 * Frobenius-nearest matrix that makes
 * `f(S) = g_P . sigma_P - 1/2 sigma_P^T G_PP sigma_P` submodular, and reports
 * what was removed. Pure host loops, O(r^2).
 *
 * @param hessian - symmetric `r` x `r` matrix (rows, or `{ data, size }` row-major)
 * @param sigma - the singular values (length `r`)
 *
 * @example
 * const { projected, report } = projectHessian([[2, -2], [-2, 2]], [1, 2.1]);
 * projected.data; // Float64Array [2, 0, 0, 2]
 * report.removedPairs; // 1
 */
export function projectHessian(
  hessian: MatrixLike,
  sigma: VectorLike,
  options: ProjectHessianOptions = {},
): HessianProjection {
  const s = toFloat64Vector('sigma', sigma);
  const r = s.length;
  const h = toFloat64Matrix('hessian', hessian, r);
  assertSymmetric('hessian', h, options.symmetryTolerance);
  const g = h.data; // a fresh copy, projected in place
  let removedPairs = 0;
  let distanceSquares = 0; // ||H - G||_F^2
  let totalSquares = 0;
  for (let i = 0; i < r; i++) {
    totalSquares += g[i * r + i] * g[i * r + i];
    for (let j = i + 1; j < r; j++) {
      const hij = g[i * r + j];
      const hji = g[j * r + i];
      totalSquares += hij * hij + hji * hji;
      const value = 0.5 * (hij + hji);
      // the sign of the product, from signs: exact, immune to underflow
      const kept = Math.sign(value) * Math.sign(s[i]) * Math.sign(s[j]) >= 0 ? value : 0;
      if (kept === 0 && value !== 0) removedPairs++;
      // exact even for round-off asymmetry, where a kept pair moves slightly
      distanceSquares += (hij - kept) ** 2 + (hji - kept) ** 2;
      g[i * r + j] = kept;
      g[j * r + i] = kept;
    }
  }
  const frobeniusDistance = Math.sqrt(distanceSquares);
  const norm = Math.sqrt(totalSquares);
  return {
    projected: { data: g, size: r },
    report: {
      removedEntries: 2 * removedPairs,
      removedPairs,
      frobeniusDistance,
      relativeFrobeniusDistance: norm === 0 ? 0 : frobeniusDistance / norm,
    },
  };
}
