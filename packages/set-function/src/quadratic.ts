/**
 * The SubLoRA objective: the second-order model of the loss decrease when the
 * singular values in `S` are kept and the rest, `P = complement(S)`, are zeroed:
 *
 *     f(S) = g_P . sigma_P - 1/2 sigma_P^T M_PP sigma_P
 *
 * `M` is the Hessian of the loss in sigma, or its sign-constrained projection
 * (`@sublora/hessian-projection`), which makes `f` submodular.
 */
import {
  assertSymmetric,
  InputError,
  SYMMETRIC_TILE,
  toFloat64Matrix,
  toFloat64Vector,
} from '@sublora/tensor';
import type { MatrixLike, VectorLike } from '@sublora/tensor';
import type { IncrementalOracle, SetFunction } from './set-function';
import { assertGainsBuffer, Membership, subsetMask } from './subset';
import { denseSymmetricRows } from './symmetric-rows';
import type { SymmetricRows } from './symmetric-rows';

/** Inputs of {@link createQuadraticObjective}. */
export interface QuadraticObjectiveInput {
  /** The singular values `sigma` (length `r`). */
  readonly sigma: VectorLike;
  /** `g = dL/dsigma` (length `r`). */
  readonly grad: VectorLike;
  /** `M` (`r` x `r`, symmetric): the Hessian `d2L/dsigma2` or its projection. */
  readonly hessian: MatrixLike;
  /**
   * Optional precomputed `M sigma` (length `r`), e.g. from a GPU backend; when
   * absent it is computed here in O(r^2).
   */
  readonly hSigma?: VectorLike;
}

/** The quadratic pruned-complement set function. */
export interface QuadraticObjective extends SetFunction {
  /** Discriminant, for code that handles several kinds of set function. */
  readonly kind: 'quadratic';
  /** Validated `sigma` (a copy, or the caller's array for the `From*` builders). */
  readonly sigma: Float64Array;
  /** Validated `g` (a copy, or the caller's array for the `From*` builders). */
  readonly grad: Float64Array;
  /** `M`, exactly symmetric, read a row at a time. */
  readonly rows: SymmetricRows;
  /**
   * `f(empty) = g . sigma - 1/2 sigma^T M sigma`, in general NOT zero.
   * Approximation guarantees (1 - 1/e, 1/e) hold for the normalized function
   * `f(S) - f(empty)`: subtract this before quoting any ratio.
   */
  readonly emptyValue: number;
}

/** A {@link QuadraticObjective} over a dense `M`, which it also exposes as an array. */
export interface DenseQuadraticObjective extends QuadraticObjective {
  /** Validated, exactly symmetric `M`, row-major (a symmetrized copy for {@link createQuadraticObjective}). */
  readonly hessian: { readonly data: Float64Array; readonly size: number };
}

/**
 * Builds the quadratic pruned-complement objective with an O(r) incremental
 * oracle.
 *
 * The oracle keeps `h = M sigma_P`. The gain of keeping `i` is
 * `-g_i sigma_i + sigma_i h_i - 1/2 M_ii sigma_i^2`; committing `i` updates
 * `h -= M[:, i] sigma_i`. So a greedy run costs O(r^2 + b r) in total.
 *
 * `M` must be symmetric within round-off (checked); it is then replaced by
 * `(M + M^T) / 2`, which leaves every value of `f` unchanged and makes the
 * gain formula exact. The input is never modified.
 *
 * @example
 * const f = createQuadraticObjective({
 *   sigma: [1, 2.1],
 *   grad: [-0.2, 0.2],
 *   hessian: [[2, -2], [-2, 2]],
 * });
 * f.evaluate([1]) - f.emptyValue; // normalized value of keeping sigma_2
 */
export function createQuadraticObjective(input: QuadraticObjectiveInput): DenseQuadraticObjective {
  const sigma = toFloat64Vector('sigma', input.sigma);
  const r = sigma.length;
  const grad = toFloat64Vector('grad', input.grad, r);
  const hessian = toFloat64Matrix('hessian', input.hessian, r, { copy: false });
  assertSymmetric('hessian', hessian);
  const m = symmetrizedCopy(hessian.data, r);
  const hSigma =
    input.hSigma === undefined ? undefined : toFloat64Vector('hSigma', input.hSigma, r);
  return createQuadraticObjectiveFromValidated({
    sigma,
    grad,
    hessian: { data: m, size: r },
    hSigma,
  });
}

/** Inputs of {@link createQuadraticObjectiveFromValidated}: already validated, held by reference. */
export interface ValidatedQuadraticObjectiveInput {
  /** Finite `sigma` (length `r`). */
  readonly sigma: Float64Array;
  /** Finite `g` (length `r`). */
  readonly grad: Float64Array;
  /** Finite, EXACTLY symmetric `M`, row-major (e.g. `projectHessian`'s `projected`). */
  readonly hessian: { readonly data: Float64Array; readonly size: number };
  /** `M sigma` (length `r`); computed here (one pass over `M`) when absent. */
  readonly hSigma?: Float64Array;
}

/**
 * {@link createQuadraticObjective} without its O(r^2) validation, copy and
 * symmetrization, for callers that already hold validated float64 data (the
 * SubLoRA pipeline, which builds `M` by projection). Only the sizes are
 * checked (O(1)). The arrays are kept by reference, not copied: do not
 * modify them while the objective is in use. `M` must be exactly symmetric:
 * the oracle's commit reads row `i` for column `i`.
 *
 * @example
 * const f = createQuadraticObjectiveFromValidated({
 *   sigma: Float64Array.of(1, 2.1),
 *   grad: Float64Array.of(-0.2, 0.2),
 *   hessian: { data: Float64Array.of(2, 0, 0, 2), size: 2 },
 * });
 * f.emptyValue; // g.sigma - 1/2 sigma^T M sigma
 */
export function createQuadraticObjectiveFromValidated(
  input: ValidatedQuadraticObjectiveInput,
): DenseQuadraticObjective {
  const { sigma, grad, hessian } = input;
  const r = sigma.length;
  const m = hessian.data;
  assertSizes(grad, r, input.hSigma);
  if (hessian.size !== r || m.length !== r * r) {
    throw new InputError(
      'hessian',
      `is ${hessian.size}x${hessian.size} with ${m.length} entries but ${r}x${r} is required to match sigma`,
    );
  }
  const rows = denseSymmetricRows({ data: m, size: r });
  const hSigma = input.hSigma ?? matVec(m, sigma, r);
  return { ...objectiveOnRows(sigma, grad, rows, hSigma), hessian: rows };
}

/** Inputs of {@link createQuadraticObjectiveFromRows}: already validated, held by reference. */
export interface QuadraticObjectiveRowsInput {
  /** Finite `sigma` (length `r`). */
  readonly sigma: Float64Array;
  /** Finite `g` (length `r`). */
  readonly grad: Float64Array;
  /** `M` (`r` x `r`, exactly symmetric), a row at a time: dense or produced on demand. */
  readonly rows: SymmetricRows;
  /** `M sigma` (length `r`), typically from the pass that made `rows`. */
  readonly hSigma: Float64Array;
}

/**
 * The quadratic objective over a matrix read a row at a time, e.g. the
 * Hessian projection of `@sublora/hessian-projection`'s `projectHessianRows`,
 * which makes each row of `G` from `H` on demand so that no `r` x `r` array
 * is allocated. Setup is O(r) given `M sigma`; each oracle `commit` reads one
 * row (`addScaledRow`), `evaluate` every row of the complement. As with
 * {@link createQuadraticObjectiveFromValidated}, only sizes are checked and
 * the arrays are kept by reference.
 *
 * @example
 * const f = createQuadraticObjectiveFromRows({
 *   sigma: Float64Array.of(1, 2.1),
 *   grad: Float64Array.of(-0.2, 0.2),
 *   rows: denseSymmetricRows({ data: Float64Array.of(2, 0, 0, 2), size: 2 }),
 *   hSigma: Float64Array.of(2, 4.2),
 * });
 * f.emptyValue; // g.sigma - 1/2 sigma^T M sigma
 */
export function createQuadraticObjectiveFromRows(
  input: QuadraticObjectiveRowsInput,
): QuadraticObjective {
  const { sigma, grad, rows, hSigma } = input;
  const r = sigma.length;
  assertSizes(grad, r, hSigma);
  if (rows.size !== r) {
    throw new InputError(
      'hessian',
      `is ${rows.size}x${rows.size} but ${r}x${r} is required to match sigma`,
    );
  }
  return objectiveOnRows(sigma, grad, rows, hSigma);
}

function assertSizes(grad: Float64Array, r: number, hSigma: Float64Array | undefined): void {
  if (grad.length !== r) {
    throw new InputError('grad', `has length ${grad.length} but ${r} is required to match sigma`);
  }
  if (hSigma !== undefined && hSigma.length !== r) {
    throw new InputError(
      'hSigma',
      `has length ${hSigma.length} but ${r} is required to match sigma`,
    );
  }
}

function objectiveOnRows(
  sigma: Float64Array,
  grad: Float64Array,
  rows: SymmetricRows,
  hSigma: Float64Array,
): QuadraticObjective {
  const r = sigma.length;
  // the gain's h-independent terms, each rounded exactly as in
  // -g_i sigma_i + sigma_i h_i - 1/2 M_ii sigma_i^2 (left to right)
  const linear = new Float64Array(r);
  const curvature = new Float64Array(r);
  rows.diagonal(curvature); // M_ii, scaled in place
  for (let i = 0; i < r; i++) {
    const s = sigma[i];
    linear[i] = -grad[i] * s;
    curvature[i] = 0.5 * curvature[i] * s * s;
  }
  let gDotSigma = 0;
  let sigmaHSigma = 0;
  for (let i = 0; i < r; i++) {
    gDotSigma += grad[i] * sigma[i];
    sigmaHSigma += sigma[i] * hSigma[i];
  }
  const emptyValue = gDotSigma - 0.5 * sigmaHSigma;
  const state: QuadraticState = { sigma, rows, linear, curvature, r };
  return {
    kind: 'quadratic',
    name: 'quadratic',
    n: r,
    sigma,
    grad,
    rows,
    emptyValue,
    evaluate: (set) => prunedValue(sigma, grad, rows, subsetMask(set, r)),
    oracle: () => new QuadraticOracle(state, new Membership(r), hSigma.slice(), emptyValue),
  };
}

/**
 * `(M + M^T) / 2` into a new array, visiting the pairs `(i, j)`, `(j, i)` in
 * cache-sized tiles so the transposed reads stay in cache.
 */
function symmetrizedCopy(m: Float64Array, r: number): Float64Array {
  const out = new Float64Array(r * r);
  for (let ib = 0; ib < r; ib += SYMMETRIC_TILE) {
    const iEnd = Math.min(ib + SYMMETRIC_TILE, r);
    for (let jb = ib; jb < r; jb += SYMMETRIC_TILE) {
      const jEnd = Math.min(jb + SYMMETRIC_TILE, r);
      for (let i = ib; i < iEnd; i++) {
        const row = i * r;
        let j = jb;
        if (jb === ib) {
          out[row + i] = m[row + i];
          j = i + 1;
        }
        for (; j < jEnd; j++) {
          const avg = 0.5 * (m[row + j] + m[j * r + i]);
          out[row + j] = avg;
          out[j * r + i] = avg;
        }
      }
    }
  }
  return out;
}

/**
 * Direct O(r^2) evaluation of `f(kept) = g_P . sigma_P - 1/2 sigma_P^T M_PP sigma_P`
 * with `P` the complement of `kept`. Validates every input; use it as the
 * ground truth against which incremental code is checked.
 *
 * @param kept - the kept indices `S` (distinct, in `[0, r)`)
 */
export function quadraticValue(
  sigma: VectorLike,
  grad: VectorLike,
  hessian: MatrixLike,
  kept: readonly number[],
): number {
  const s = toFloat64Vector('sigma', sigma);
  const r = s.length;
  const g = toFloat64Vector('grad', grad, r);
  const m = toFloat64Matrix('hessian', hessian, r);
  return prunedValue(s, g, denseSymmetricRows(m), subsetMask(kept, r, 'kept'));
}

function prunedValue(
  sigma: Float64Array,
  grad: Float64Array,
  rows: SymmetricRows,
  keptMask: Uint8Array,
): number {
  const r = sigma.length;
  const rowBuffer = new Float64Array(r);
  let linear = 0;
  let quadratic = 0;
  for (let i = 0; i < r; i++) {
    if (keptMask[i] === 1) continue;
    linear += grad[i] * sigma[i];
    rows.row(i, rowBuffer);
    let row = 0;
    for (let j = 0; j < r; j++) if (keptMask[j] === 0) row += rowBuffer[j] * sigma[j];
    quadratic += sigma[i] * row;
  }
  return linear - 0.5 * quadratic;
}

function matVec(m: Float64Array, v: Float64Array, r: number): Float64Array {
  const out = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let acc = 0;
    for (let j = 0; j < r; j++) acc += m[i * r + j] * v[j];
    out[i] = acc;
  }
  return out;
}

interface QuadraticState {
  readonly sigma: Float64Array;
  readonly rows: SymmetricRows;
  /** `-g_i sigma_i`: the gain is `linear_i + sigma_i h_i - curvature_i`, rounded as the formula is. */
  readonly linear: Float64Array;
  /** `1/2 M_ii sigma_i^2`. */
  readonly curvature: Float64Array;
  readonly r: number;
}

class QuadraticOracle implements IncrementalOracle {
  constructor(
    private readonly q: QuadraticState,
    private readonly members: Membership,
    /** `h = M sigma_P`, over every index (kept ones included). */
    private readonly h: Float64Array,
    private current: number,
  ) {}

  get n(): number {
    return this.q.r;
  }

  get selected(): readonly number[] {
    return this.members.selected;
  }

  value(): number {
    return this.current;
  }

  gain(e: number): number {
    this.members.assertAddable(e, 'gain');
    return this.gainUnchecked(e);
  }

  private gainUnchecked(i: number): number {
    const { sigma, linear, curvature } = this.q;
    return linear[i] + sigma[i] * this.h[i] - curvature[i];
  }

  gains(out: Float64Array): void {
    const { sigma, linear, curvature, r } = this.q;
    assertGainsBuffer(out, r);
    const mask = this.members.mask;
    const h = this.h;
    for (let i = 0; i < r; i++) {
      out[i] = mask[i] === 1 ? -Infinity : linear[i] + sigma[i] * h[i] - curvature[i];
    }
  }

  commit(e: number): void {
    this.members.assertAddable(e, 'commit');
    this.current += this.gainUnchecked(e);
    this.members.add(e);
    // h -= M[:, e] sigma_e; M is symmetric, so row e (contiguous) is column e
    this.q.rows.addScaledRow(e, -this.q.sigma[e], this.h);
  }

  fork(): IncrementalOracle {
    return new QuadraticOracle(this.q, this.members.clone(), this.h.slice(), this.current);
  }
}
