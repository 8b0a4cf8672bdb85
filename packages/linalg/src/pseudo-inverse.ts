import { type Matrix, matrix } from './matrix';
import { svd } from './svd';

/**
 * Moore-Penrose pseudo-inverse `a^+ = v diag(1 / s) u^T` (`cols x rows`),
 * from the SVD. Singular values at or below `rtol * s_max` count as zero (their
 * reciprocal is replaced by 0); the default `rtol` is `max(rows, cols) * eps`,
 * the usual numerical-rank cut-off. Values whose reciprocal overflows count as
 * zero too.
 */
export function pseudoInverse(a: Matrix, rtol = Math.max(a.rows, a.cols) * Number.EPSILON): Matrix {
  const { u, s, v } = svd(a);
  const k = s.length;
  const cut = rtol * (k > 0 ? s[0] : 0);
  const out = matrix(a.cols, a.rows);
  for (let t = 0; t < k; t++) {
    const w = 1 / s[t];
    // a subnormal s_t has an infinite reciprocal: it is zero at any sensible tolerance
    if (!(s[t] > cut) || !Number.isFinite(w)) continue;
    for (let i = 0; i < a.cols; i++) {
      const vi = v.data[i * k + t] * w;
      if (vi === 0) continue;
      for (let j = 0; j < a.rows; j++) out.data[i * a.rows + j] += vi * u.data[j * k + t];
    }
  }
  return out;
}
