/**
 * `@sublora/linalg`: small dense linear algebra on the host in float64 — the
 * thin QR and SVD that rank-adaptive adapters (GeoLoRA, PoLAR) need on
 * `n x 2r` and `2r x 2r` matrices — behind one typed interface over plain
 * row-major `Float64Array`s. Pure: no backend, no I/O.
 */
export {
  type Matrix,
  matrix,
  fromRows,
  toRows,
  identity,
  transpose,
  matmul,
  columns,
  hconcat,
  frobeniusNorm,
  orthogonalityError,
} from './matrix';
export { type Qr, qr } from './qr';
export { type Svd, svd } from './svd';
export { pseudoInverse } from './pseudo-inverse';
export { symmetricEigenvalues } from './eigen';
