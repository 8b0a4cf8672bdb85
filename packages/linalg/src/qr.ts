import { QrDecomposition } from 'ml-matrix';
import { fromEngine, toEngine } from './engine';
import { assertFinite } from './finite';
import type { Matrix } from './matrix';

/** A thin QR factorization `a = q r`. */
export interface Qr {
  /** `rows x cols`, orthonormal columns. */
  readonly q: Matrix;
  /** `cols x cols`, upper triangular with a non-negative diagonal. */
  readonly r: Matrix;
}

/**
 * Thin QR of a tall (or square) matrix by Householder reflections (ml-matrix).
 *
 * Signs are fixed so that `r` has a non-negative diagonal, which makes the
 * factorization unique for full-rank `a` and the result reproducible. For a
 * rank-deficient `a` the columns of `q` are still orthonormal (Householder
 * never divides by a pivot); the extra columns complete an orthonormal frame.
 *
 * @throws RangeError when `a` is wide (`rows < cols`) or has a non-finite entry.
 */
export function qr(a: Matrix): Qr {
  if (a.rows < a.cols)
    throw new RangeError(
      `qr: a ${a.rows} x ${a.cols} matrix is wide; thin QR needs rows >= cols (cap the column count at the row count)`,
    );
  assertFinite(a, 'qr');
  const { m, scale } = toEngine(a);
  const dec = new QrDecomposition(m);
  const q = fromEngine(dec.orthogonalMatrix, a.cols);
  const r = fromEngine(dec.upperTriangularMatrix);
  for (let k = 0; k < r.data.length; k++) r.data[k] *= scale;
  const n = a.cols;
  for (let j = 0; j < n; j++) {
    if (r.data[j * n + j] >= 0) continue;
    for (let k = j; k < n; k++) r.data[j * n + k] = -r.data[j * n + k];
    for (let i = 0; i < q.rows; i++) q.data[i * n + j] = -q.data[i * n + j];
  }
  return { q, r };
}
