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
  assertFiniteSymmetricScan,
  InputError,
  normalizingFactors,
  SYMMETRIC_TILE,
  toFloat64Matrix,
  toFloat64Vector,
} from '@sublora/tensor';
import type { MatrixLike, SymmetryScan, VectorLike } from '@sublora/tensor';
import type { SymmetricRows } from '@sublora/set-function';
import { ProjectedRows } from './projected-rows';
import { feasibility, keptEntry, sigmaSigns } from './rule';

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

/** Result of {@link projectHessianRows}: `G` as a view, with what the pass over `H` summed. */
export interface HessianRowsProjection {
  /**
   * `G`, a row at a time: each `row`/`addScaledRow` applies the rule to row
   * `i` of `H` on demand (O(r); it also reads column `i` when `H` is not
   * exactly symmetric). Holds `H` and `sigma` by reference.
   */
  readonly rows: SymmetricRows;
  /** What the projection removes (the same numbers as {@link projectHessian}). */
  readonly report: ProjectionReport;
  /** `G sigma` (length `r`), bit for bit what {@link projectValidatedHessian} returns. */
  readonly projectedHSigma: Float64Array;
  /** `((H + H^T) / 2) sigma` (length `r`): `H sigma` for the raw model, from the same pass. */
  readonly hSigma: Float64Array;
}

/**
 * Projects `hessian` onto `{G : G_ij sigma_i sigma_j >= 0 for i != j}`, the
 * Frobenius-nearest matrix that makes
 * `f(S) = g_P . sigma_P - 1/2 sigma_P^T G_PP sigma_P` submodular, and reports
 * what was removed. Pure host loops, O(r^2): the sizes are checked first,
 * then one cache-friendly pass over the pairs writes `G` and gathers what
 * the finiteness and symmetry checks need; the input is never modified (nor
 * copied when it is `{ data: Float64Array, size }`).
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
  const h = toFloat64Matrix('hessian', hessian, s.length, { copy: false, checkFinite: false });
  const g = new Float64Array(h.data.length);
  const pass = projectPairs(h.data, s, g);
  assertFiniteSymmetricScan('hessian', h, pass, options.symmetryTolerance);
  return { projected: { data: g, size: s.length }, report: reportOf(pass, h.data, s) };
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
  const r = assertSizes(hessian, sigma);
  const g = new Float64Array(r * r);
  const pass = projectPairs(hessian.data, sigma, g);
  const report = reportOf(pass, hessian.data, sigma);
  return { projected: { data: g, size: r }, report, projectedHSigma: pass.projectedHSigma };
}

/**
 * The projection without its `r` x `r` array: one tiled pass over the pairs
 * of `H` checks it (finite, symmetric within `symmetryTolerance *
 * max |H_ij|`: the errors and messages of `toFloat64Matrix` and
 * `assertSymmetric`, in that order) and sums the report, `G sigma` and
 * `H sigma`; `G` itself is returned as a view that makes a row from `H` when
 * asked. That is all the greedy oracle of the SubLoRA objective reads
 * (`createQuadraticObjectiveFromRows`), so selection never writes `G`.
 *
 * `hessian`'s sizes must already be checked, its finiteness need not be
 * (`toFloat64Matrix(name, m, r, { checkFinite: false })`); `sigma` must be
 * finite. Both are held by reference by the view: do not modify them while
 * it is in use.
 *
 * @param hessian - `r` x `r`, row-major
 * @param sigma - length `r`
 *
 * @example
 * const { rows, projectedHSigma } = projectHessianRows(
 *   { data: Float64Array.of(2, -2, -2, 2), size: 2 },
 *   Float64Array.of(1, 2.1),
 * );
 * const row = new Float64Array(2);
 * rows.row(0, row); // Float64Array [2, 0]
 * projectedHSigma; // Float64Array [2, 4.2]
 */
export function projectHessianRows(
  hessian: { readonly data: Float64Array; readonly size: number },
  sigma: Float64Array,
  options: ProjectHessianOptions = {},
): HessianRowsProjection {
  const r = assertSizes(hessian, sigma);
  const pass = projectPairs(hessian.data, sigma, undefined);
  assertFiniteSymmetricScan('hessian', hessian, pass, options.symmetryTolerance);
  // equal pairs let a row stand for its column, and (no entry near overflow,
  // as the finite sum of squares shows) (H_ij + H_ij) / 2 is H_ij exactly
  const exactlySymmetric = pass.maxAsymmetry <= 0 && Number.isFinite(pass.sumOfSquares);
  const rows = new ProjectedRows(hessian.data, r, pass.signs, exactlySymmetric);
  const { projectedHSigma, hSigma } = pass;
  return { rows, report: reportOf(pass, hessian.data, sigma), projectedHSigma, hSigma };
}

function assertSizes(
  hessian: { readonly data: Float64Array; readonly size: number },
  sigma: Float64Array,
): number {
  const r = sigma.length;
  if (hessian.size !== r || hessian.data.length !== r * r) {
    throw new InputError(
      'hessian',
      `is ${hessian.size}x${hessian.size} with ${hessian.data.length} entries but ${r}x${r} is required to match sigma`,
    );
  }
  return r;
}

/** What {@link projectPairs} gathered in its pass. */
interface PairPass extends SymmetryScan {
  readonly report: ProjectionReport;
  readonly projectedHSigma: Float64Array;
  readonly hSigma: Float64Array;
  readonly signs: Float64Array;
}

/**
 * The one pass over the pairs `(i, j)`, `(j, i)`, in tiles of
 * `SYMMETRIC_TILE`: applies the rule to each pair, writes `G` into `out`
 * when given, and sums the report, `G sigma`, `H sigma` and the
 * {@link SymmetryScan} of `h`. The results are only meaningful when the scan
 * passes `assertFiniteSymmetricScan`.
 */
function projectPairs(
  h: Float64Array,
  sigma: Float64Array,
  out: Float64Array | undefined,
): PairPass {
  const r = sigma.length;
  const gSigma = new Float64Array(r);
  const hSigma = new Float64Array(r);
  const signs = sigmaSigns(sigma);
  // running [max asymmetry, removed pairs, ||H - G||_F^2, ||H||_F^2 (not finite when an entry is not)]
  const sums = Float64Array.of(-Infinity, 0, 0, 0);
  const into: TileSums = { sums, gSigma, hSigma };
  for (let ib = 0; ib < r; ib += SYMMETRIC_TILE) {
    const iEnd = Math.min(ib + SYMMETRIC_TILE, r);
    for (let jb = ib; jb < r; jb += SYMMETRIC_TILE) {
      projectTile(h, sigma, signs, out, ib, iEnd, jb, Math.min(jb + SYMMETRIC_TILE, r), into);
    }
  }
  const [maxAsymmetry, removedPairs, distanceSquares, totalSquares] = sums;
  const frobeniusDistance = Math.sqrt(distanceSquares);
  const norm = Math.sqrt(totalSquares);
  return {
    maxAsymmetry,
    sumOfSquares: totalSquares,
    report: {
      removedEntries: 2 * removedPairs,
      removedPairs,
      frobeniusDistance,
      relativeFrobeniusDistance: norm === 0 ? 0 : frobeniusDistance / norm,
    },
    projectedHSigma: gSigma,
    hSigma,
    signs,
  };
}

/**
 * The report of a pass over finite `h`; when its sums of squares overflowed
 * (entries beyond about 1e154), the report of a second pass over a copy of
 * `h` scaled by the power of two that brings its largest entry into [1, 2)
 * (`normalizingFactors`: exact but for entries too small to matter) gives
 * the distances, the first the counts: the distance is then finite
 * whenever `||H - G||_F` is.
 */
function reportOf(pass: PairPass, h: Float64Array, sigma: Float64Array): ProjectionReport {
  if (Number.isFinite(pass.sumOfSquares)) return pass.report;
  let largest = 0;
  for (let i = 0; i < h.length; i++) largest = Math.max(largest, Math.abs(h[i]));
  const [f1, f2] = normalizingFactors(largest);
  const scaled = h.map((v) => v * f1 * f2);
  const { frobeniusDistance, relativeFrobeniusDistance } = projectPairs(
    scaled,
    sigma,
    undefined,
  ).report;
  // the counts stay the first pass's: scaling can flush a tiny entry to a (feasible) zero
  return {
    ...pass.report,
    frobeniusDistance: frobeniusDistance / f1 / f2,
    relativeFrobeniusDistance,
  };
}

/** Where {@link projectTile} accumulates: the running sums, `G sigma` and `H sigma`. */
interface TileSums {
  readonly sums: Float64Array;
  readonly gSigma: Float64Array;
  readonly hSigma: Float64Array;
}

/**
 * The pairs of one tile, rows `[ib, iEnd)` by columns `[jb, jEnd)` (`jb >=
 * ib`; on the diagonal tile only `j > i`, plus the diagonal entry), taking
 * the running sums in and out so that every sum adds in the order of one
 * loop over all tiles. A function of its own because V8 compiles a function
 * that is called many times better than the loop of a long-running one,
 * which it can only replace on the stack: with the tiles inlined the pass
 * took 92 ms at r = 4096, against 53-57 ms once warm or as a call per tile.
 */
function projectTile(
  h: Float64Array,
  sigma: Float64Array,
  signs: Float64Array,
  out: Float64Array | undefined,
  ib: number,
  iEnd: number,
  jb: number,
  jEnd: number,
  into: TileSums,
): void {
  const { sums, gSigma, hSigma } = into;
  const r = sigma.length;
  let maxAsymmetry = sums[0];
  let removedPairs = sums[1];
  let distanceSquares = sums[2];
  let totalSquares = sums[3];
  for (let i = ib; i < iEnd; i++) {
    const row = i * r;
    const si = sigma[i];
    const signI = signs[i];
    let gRow = 0; // this tile's part of (G sigma)_i
    let hRow = 0; // and of (H sigma)_i
    let j = jb;
    if (jb === ib) {
      const hii = h[row + i]; // the diagonal is unconstrained
      totalSquares += hii * hii;
      if (out !== undefined) out[row + i] = hii;
      gRow += hii * si;
      hRow += hii * si;
      j = i + 1;
    }
    for (; j < jEnd; j++) {
      const hij = h[row + j];
      const hji = h[j * r + i];
      const asymmetry = Math.abs(hij - hji);
      if (asymmetry > maxAsymmetry) maxAsymmetry = asymmetry;
      totalSquares += hij * hij + hji * hji;
      const value = 0.5 * (hij + hji);
      const feasible = feasibility(value, signI, signs[j]);
      // value * feasible differs from G_ij only in the sign of a zero,
      // which no sum below can tell apart; the written G gets the exact entry
      const kept = value * feasible;
      removedPairs += 1 - feasible;
      // exact even for round-off asymmetry, where a kept pair moves slightly
      const di = hij - kept;
      const dj = hji - kept;
      distanceSquares += di * di + dj * dj;
      if (out !== undefined) {
        const entry = keptEntry(value, feasible);
        out[row + j] = entry;
        out[j * r + i] = entry;
      }
      const sj = sigma[j];
      gRow += kept * sj;
      gSigma[j] += kept * si;
      hRow += value * sj;
      hSigma[j] += value * si;
    }
    gSigma[i] += gRow;
    hSigma[i] += hRow;
  }
  sums[0] = maxAsymmetry;
  sums[1] = removedPairs;
  sums[2] = distanceSquares;
  sums[3] = totalSquares;
}
