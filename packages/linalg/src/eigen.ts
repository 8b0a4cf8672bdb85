import { EigenvalueDecomposition } from 'ml-matrix';
import { toEngine } from './engine';
import { assertFinite } from './finite';
import type { Matrix } from './matrix';

/**
 * Eigenvalues of a symmetric matrix, ascending (ml-matrix's symmetric
 * tridiagonal QL). Only the lower triangle's symmetry is assumed, not
 * checked: pass `(a + a^T) / 2` when `a` is symmetric only to round-off.
 *
 * @throws RangeError when `a` is not square or has a non-finite entry.
 */
export function symmetricEigenvalues(a: Matrix): Float64Array {
  if (a.rows !== a.cols)
    throw new RangeError(
      `symmetricEigenvalues: matrix must be square, got ${a.rows} x ${a.cols}; pass a symmetric matrix`,
    );
  assertFinite(a, 'symmetricEigenvalues');
  if (a.rows === 0) return new Float64Array(0);
  const { m, scale } = toEngine(a);
  const dec = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return Float64Array.from(dec.realEigenvalues, (x) => x * scale).sort();
}
