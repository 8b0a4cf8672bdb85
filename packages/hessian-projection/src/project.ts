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
import {
  assertSymmetric,
  InputError,
  SYMMETRIC_TILE,
  toFloat64Matrix,
  toFloat64Vector,
} from '@sublora/tensor';
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

/** Result of {@link projectValidatedHessian}: the projection and `G sigma`. */
export interface ValidatedHessianProjection extends HessianProjection {
  /** `G sigma` (length `r`), accumulated in the same pass as `G`. */
  readonly projectedHSigma: Float64Array;
}

/**
 * Projects `hessian` onto `{G : G_ij sigma_i sigma_j >= 0 for i != j}`, the
 * Frobenius-nearest matrix that makes
 * `f(S) = g_P . sigma_P - 1/2 sigma_P^T G_PP sigma_P` submodular, and reports
 * what was removed. Pure host loops, O(r^2): validation, symmetry check and
 * {@link projectValidatedHessian}, each one cache-friendly pass; the input
 * is never modified (nor copied when it is `{ data: Float64Array, size }`).
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
  const h = toFloat64Matrix('hessian', hessian, s.length, { copy: false });
  assertSymmetric('hessian', h, options.symmetryTolerance);
  const { projected, report } = projectValidatedHessian(h, s);
  return { projected, report };
}

/**
 * The projection kernel behind {@link projectHessian}, for inputs that are
 * already validated: finite, `hessian` symmetric within round-off (see
 * `assertSymmetric`), sizes matching (checked here, O(1)). The pair
 * `(i, j)`, `(j, i)` becomes `(H_ij + H_ji) / 2` or 0 by the rule, so `G` is
 * exactly symmetric. One pass over pairs in tiles (`SYMMETRIC_TILE`) writes
 * `G` into a new array and accumulates the report and `G sigma`; `hessian`
 * is only read.
 *
 * @param hessian - `r` x `r`, row-major
 * @param sigma - length `r`
 *
 * @example
 * const { projectedHSigma } = projectValidatedHessian(
 *   { data: Float64Array.of(2, -2, -2, 2), size: 2 },
 *   Float64Array.of(1, 2.1),
 * );
 * projectedHSigma; // Float64Array [2, 4.2]
 */
export function projectValidatedHessian(
  hessian: { readonly data: Float64Array; readonly size: number },
  sigma: Float64Array,
): ValidatedHessianProjection {
  const r = sigma.length;
  const h = hessian.data;
  if (hessian.size !== r || h.length !== r * r) {
    throw new InputError(
      'hessian',
      `is ${hessian.size}x${hessian.size} with ${h.length} entries but ${r}x${r} is required to match sigma`,
    );
  }
  const g = new Float64Array(r * r);
  const gSigma = new Float64Array(r);
  // the decision uses signs only: exact, immune to underflow
  const sigmaSign = new Float64Array(r);
  for (let i = 0; i < r; i++) sigmaSign[i] = Math.sign(sigma[i]);
  let removedPairs = 0;
  let distanceSquares = 0; // ||H - G||_F^2
  let totalSquares = 0;
  for (let ib = 0; ib < r; ib += SYMMETRIC_TILE) {
    const iEnd = Math.min(ib + SYMMETRIC_TILE, r);
    for (let jb = ib; jb < r; jb += SYMMETRIC_TILE) {
      const jEnd = Math.min(jb + SYMMETRIC_TILE, r);
      for (let i = ib; i < iEnd; i++) {
        const row = i * r;
        const si = sigma[i];
        const signI = sigmaSign[i];
        let rowSum = 0; // this tile's part of (G sigma)_i
        let j = jb;
        if (jb === ib) {
          const hii = h[row + i]; // the diagonal is unconstrained
          totalSquares += hii * hii;
          g[row + i] = hii;
          rowSum += hii * si;
          j = i + 1;
        }
        for (; j < jEnd; j++) {
          const hij = h[row + j];
          const hji = h[j * r + i];
          totalSquares += hij * hij + hji * hji;
          const value = 0.5 * (hij + hji);
          // 1 if feasible, else 0 (value != 0 then); arithmetic, not a branch:
          // decisions are close to coin flips and mispredictions cost more
          const feasible = +(value * signI * sigmaSign[j] >= 0);
          // adding -0 keeps any value as is (-0 included), adding +0 turns the
          // -0 of an infeasible negative value into the 0 the rule asks for
          const kept = value * feasible + (0.5 - feasible) * 0;
          removedPairs += 1 - feasible;
          // exact even for round-off asymmetry, where a kept pair moves slightly
          const di = hij - kept;
          const dj = hji - kept;
          distanceSquares += di * di + dj * dj;
          g[row + j] = kept;
          g[j * r + i] = kept;
          rowSum += kept * sigma[j];
          gSigma[j] += kept * si;
        }
        gSigma[i] += rowSum;
      }
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
    projectedHSigma: gSigma,
  };
}
