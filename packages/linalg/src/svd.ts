import { SingularValueDecomposition } from 'ml-matrix';
import { fromEngine, toEngine } from './engine';
import { assertFinite } from './finite';
import type { Matrix } from './matrix';

/** A thin SVD `a = u diag(s) v^T` with `k = min(rows, cols)`. */
export interface Svd {
  /** `rows x k`, orthonormal columns. */
  readonly u: Matrix;
  /** `k` singular values, non-negative and non-increasing. */
  readonly s: Float64Array;
  /** `cols x k`, orthonormal columns. */
  readonly v: Matrix;
}

/**
 * Thin SVD by Golub-Kahan-Reinsch (ml-matrix, with automatic transposition of
 * wide inputs). Singular values come sorted, largest first, and non-negative.
 *
 * @throws RangeError when `a` has a non-finite entry.
 */
export function svd(a: Matrix): Svd {
  assertFinite(a, 'svd');
  const k = Math.min(a.rows, a.cols);
  if (k === 0)
    return {
      u: { rows: a.rows, cols: 0, data: new Float64Array(0) },
      s: new Float64Array(0),
      v: { rows: a.cols, cols: 0, data: new Float64Array(0) },
    };
  const { m, scale } = toEngine(a);
  const dec = new SingularValueDecomposition(m, { autoTranspose: true });
  return {
    u: fromEngine(dec.leftSingularVectors, k),
    s: Float64Array.from(dec.diagonal.slice(0, k), (x) => Math.max(x, 0) * scale),
    v: fromEngine(dec.rightSingularVectors, k),
  };
}
