/**
 * Moving `n x r` matrices with orthonormal columns, on the host in float64,
 * in O(n r^2) (never an `n x n` matrix):
 *
 * - the landing field (Ablin and Peyre; PoLAR's default):
 *   `Lambda(X, G) = G (X^T X) - X (G^T X) + lambda X (X^T X - I)`. Its first
 *   part is a skew-symmetric (Riemannian) direction, the second pulls `X`
 *   back to the manifold, so plain steps `X - lr Lambda` need no
 *   orthonormalisation and stay within a small distance of it;
 * - the Riemannian gradient for the embedded metric `G - X sym(X^T G)`, and
 *   the QR retraction `qf(X - lr xi)` (exactly on the manifold, to round-off).
 */
import { type Matrix, matmul, matrix, qr } from '@sublora/linalg';
import { InputError } from '@sublora/tensor';

function assertFiniteMatrix(name: string, m: Matrix): void {
  for (let i = 0; i < m.data.length; i++)
    if (!Number.isFinite(m.data[i]))
      throw new InputError(
        name,
        `entry (${Math.floor(i / m.cols)}, ${i % m.cols}) is ${m.data[i]}; the step cannot continue`,
      );
}

function sameShape(x: Matrix, g: Matrix): void {
  if (x.rows !== g.rows || x.cols !== g.cols)
    throw new InputError('gradient', `is ${g.rows} x ${g.cols}, the factor ${x.rows} x ${x.cols}`);
}

/** The landing field at `x` for the Euclidean gradient `g` (see the module comment). */
export function landingField(x: Matrix, g: Matrix, lambda: number): Matrix {
  if (!(Number.isFinite(lambda) && lambda >= 0))
    throw new InputError('polar.lambda', `${lambda} is not a finite number >= 0`);
  sameShape(x, g);
  assertFiniteMatrix('gradient', g);
  const xtx = matmul(x, x, { transposeA: true });
  const gtx = matmul(g, x, { transposeA: true });
  const a = matmul(g, xtx);
  const b = matmul(x, gtx);
  for (let i = 0; i < xtx.rows; i++) xtx.data[i * xtx.cols + i] -= 1;
  const c = matmul(x, xtx);
  const out = matrix(x.rows, x.cols);
  for (let i = 0; i < out.data.length; i++)
    out.data[i] = a.data[i] - b.data[i] + lambda * c.data[i];
  return out;
}

/** `g - x sym(x^T g)`: the gradient projected on the tangent space at `x` (embedded metric). */
export function riemannianGradient(x: Matrix, g: Matrix): Matrix {
  sameShape(x, g);
  assertFiniteMatrix('gradient', g);
  const xtg = matmul(x, g, { transposeA: true });
  const r = xtg.rows;
  const sym = matrix(r, r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++)
      sym.data[i * r + j] = (xtg.data[i * r + j] + xtg.data[j * r + i]) / 2;
  const xs = matmul(x, sym);
  const out = matrix(x.rows, x.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = g.data[i] - xs.data[i];
  return out;
}

/** `qf(x - lr xi)`: the Q factor (diagonal of R non-negative) of the stepped matrix. */
export function qrRetraction(x: Matrix, xi: Matrix, lr: number): Matrix {
  sameShape(x, xi);
  const stepped = matrix(x.rows, x.cols);
  for (let i = 0; i < stepped.data.length; i++) stepped.data[i] = x.data[i] - lr * xi.data[i];
  assertFiniteMatrix('polar step', stepped);
  return qr(stepped).q;
}
