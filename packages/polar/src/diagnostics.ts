/**
 * What PoLAR watches during training: the stable rank of each update
 * `||dW||_F^2 / ||dW||_2^2` (how many directions carry its energy; LoRA's
 * tends to 1) and how far `X`, `Y` are from orthonormal columns.
 *
 * The stable rank needs the singular values of `dW = s X Theta Y^T`. With thin
 * QRs `X = Qx Rx`, `Y = Qy Ry` they are those of the `r x r` core
 * `s Rx Theta Ry^T`, exactly and in O((out + in) r^2): no power iteration and
 * no `out x in` matrix (this replaces the power iteration the issue suggests;
 * the test compares with the dense SVD).
 */
import { type Matrix, matmul, matrix, orthogonalityError, qr, svd } from '@sublora/linalg';

/** `Theta` as an `r x r` matrix (a diagonal one from its `r` entries). */
export function thetaMatrix(theta: Float64Array, r: number): Matrix {
  if (theta.length === r * r) return matrix(r, r, theta);
  const m = matrix(r, r);
  for (let i = 0; i < r; i++) m.data[i * r + i] = theta[i];
  return m;
}

/**
 * `X Theta Y^T = Qx C Qy^T` with thin QRs `X = Qx Rx`, `Y = Qy Ry` and the
 * `r x r` core `C = Rx Theta Ry^T`: `Qx`, `Qy` have orthonormal columns
 * whether or not `X`, `Y` do, so `C`'s singular values are the update's.
 */
export function qrCore(
  x: Matrix,
  theta: Matrix,
  y: Matrix,
): { qx: Matrix; core: Matrix; qy: Matrix } {
  const fx = qr(x);
  const fy = qr(y);
  return { qx: fx.q, core: matmul(matmul(fx.r, theta), fy.r, { transposeB: true }), qy: fy.q };
}

/** Singular values of `scale X Theta Y^T`, largest first. */
export function updateSingularValues(
  x: Matrix,
  theta: Matrix,
  y: Matrix,
  scale: number,
): Float64Array {
  return svd(qrCore(x, theta, y).core).s.map((s) => s * Math.abs(scale));
}

/** `||dW||_F^2 / ||dW||_2^2`, in [1, r]; 0 for a zero update. */
export function stableRank(x: Matrix, theta: Matrix, y: Matrix, scale: number): number {
  const s = updateSingularValues(x, theta, y, scale);
  if (s.length === 0 || s[0] === 0) return 0;
  let f = 0;
  for (const v of s) f += v * v;
  return f / (s[0] * s[0]);
}

/** `||X^T X - I||_F` and the same for `Y`. */
export function orthogonalityErrors(x: Matrix, y: Matrix): { x: number; y: number } {
  return { x: orthogonalityError(x), y: orthogonalityError(y) };
}
