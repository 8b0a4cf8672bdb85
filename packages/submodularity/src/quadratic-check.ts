/**
 * The exact submodularity test for the SubLoRA objective (Theorem 2).
 *
 * For `f(S) = g_P . sigma_P - 1/2 sigma_P^T H_PP sigma_P` (P = complement of
 * S), the marginal gain of keeping `i` contains `sigma_i (H sigma_P)_i`; when
 * `j` joins `S` that gain changes by `-H_ij sigma_i sigma_j`. So gains
 * diminish, for every chain of sets, iff `H_ij sigma_i sigma_j >= 0` for all
 * `i != j`. The check is therefore O(r^2) and exact, with no sampling.
 */
import { assertSymmetric, InputError, toFloat64Matrix, toFloat64Vector } from '@sublora/tensor';
import type { MatrixLike, VectorLike } from '@sublora/tensor';

/** One pair that breaks the Theorem-2 condition. */
export interface QuadraticViolation {
  /** Row index, `i < j`. */
  readonly i: number;
  /** Column index. */
  readonly j: number;
  /** `H_ij sigma_i sigma_j` (negative beyond the tolerance). */
  readonly value: number;
}

/** Options of {@link checkQuadraticSubmodularity}. */
export interface QuadraticCheckOptions {
  /**
   * A pair violates the condition when `H_ij sigma_i sigma_j < -tolerance`
   * (absolute). Default 0: the exact condition.
   */
  readonly tolerance?: number;
}

/** Result of {@link checkQuadraticSubmodularity}. */
export interface QuadraticCheckResult {
  /** True iff no off-diagonal pair violates the condition. */
  readonly submodular: boolean;
  /** Every violating pair `i < j`, in row-major order. */
  readonly violations: readonly QuadraticViolation[];
  /** `violations.length`. */
  readonly violationCount: number;
  /** Number of off-diagonal pairs examined, `r (r - 1) / 2`. */
  readonly offDiagonalPairs: number;
}

/**
 * Decides exactly whether the SubLoRA objective built from `hessian` (the
 * matrix `M` of `createQuadraticObjective`) and `sigma` is submodular: it is
 * iff `M_ij sigma_i sigma_j >= 0` for all `i != j` (Theorem 2; `g` plays no role).
 *
 * `hessian` must be symmetric within round-off; the pair value uses
 * `(M_ij + M_ji) / 2`.
 *
 * @example
 * checkQuadraticSubmodularity([[2, -2], [-2, 2]], [1, 2.1]);
 * // { submodular: false, violations: [{ i: 0, j: 1, value: -4.2 }], ... }
 */
export function checkQuadraticSubmodularity(
  hessian: MatrixLike,
  sigma: VectorLike,
  options: QuadraticCheckOptions = {},
): QuadraticCheckResult {
  const s = toFloat64Vector('sigma', sigma);
  const r = s.length;
  const { data: m } = toFloat64Matrix('hessian', hessian, r);
  assertSymmetric('hessian', { data: m, size: r });
  const tolerance = options.tolerance ?? 0;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new InputError('tolerance', `${String(tolerance)} is not a finite number >= 0`);
  }
  const violations: QuadraticViolation[] = [];
  for (let i = 0; i < r; i++) {
    for (let j = i + 1; j < r; j++) {
      const value = 0.5 * (m[i * r + j] + m[j * r + i]) * s[i] * s[j];
      if (value < -tolerance) violations.push({ i, j, value });
    }
  }
  return {
    submodular: violations.length === 0,
    violations,
    violationCount: violations.length,
    offDiagonalPairs: (r * (r - 1)) / 2,
  };
}
