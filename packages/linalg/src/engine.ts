/**
 * The one place that talks to `ml-matrix`: conversions between our flat
 * {@link Matrix} and its row-array matrices. Swapping the engine means
 * editing this file only.
 */
import { Matrix as MlMatrix } from 'ml-matrix';
import { type Matrix, matrix } from './matrix';

/**
 * Magnitude (relative to the largest entry) below which entries are flushed
 * to zero: below about sqrt(smallest normal) = 1.5e-154 the products of two
 * entries that Householder forms underflow into subnormals and lose bits.
 */
const TINY = 1e-150;

/**
 * Our matrix as an ml-matrix one, divided by its largest magnitude (returned
 * as `scale`; 1 for a zero matrix). The engine's Householder vectors lose all
 * accuracy on subnormal inputs (a 2 x 1 matrix of 5e-324 came back with
 * `q^T q = 2`), and QR and SVD are both equivariant under scaling, so callers
 * multiply `r` or `s` by `scale` afterwards. Entries still below `TINY` after
 * the division (more than 150 decades below the largest) are flushed to zero:
 * that perturbs `a` by far less than the decompositions' own backward error
 * (about 1e-16 relative), and subnormals carry too few bits for Householder.
 */
export function toEngine(a: Matrix): { m: MlMatrix; scale: number } {
  let scale = 0;
  for (const x of a.data) scale = Math.max(scale, Math.abs(x));
  if (scale === 0) scale = 1;
  const m = new MlMatrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) {
      const x = a.data[i * a.cols + j] / scale;
      m.set(i, j, Math.abs(x) < TINY ? 0 : x);
    }
  return { m, scale };
}

/** An ml-matrix matrix as ours (copies the leading `cols` columns, default all). */
export function fromEngine(m: MlMatrix, cols = m.columns): Matrix {
  const out = matrix(m.rows, cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < cols; j++) out.data[i * cols + j] = m.get(i, j);
  return out;
}
