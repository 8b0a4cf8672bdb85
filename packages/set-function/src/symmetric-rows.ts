/**
 * The matrix a quadratic objective reads, seen a row at a time.
 *
 * The greedy oracle of the quadratic objective never needs the whole `M`:
 * it starts from `M sigma` and `diag(M)` and, per committed element `i`,
 * reads row `i` once (`M` is symmetric, so row `i` is column `i`). A matrix
 * that is cheap to produce row by row, such as the sign-constrained
 * projection of a Hessian (`@sublora/hessian-projection`), can then be used
 * without ever allocating its `r` x `r` array.
 */
import { InputError, SYMMETRIC_TILE } from '@sublora/tensor';

/** A symmetric `size` x `size` matrix `M`, read a row at a time. */
export interface SymmetricRows {
  /** Number of rows (and columns). */
  readonly size: number;
  /** Writes `M_ii` into `out[i]` for every `i` (`out.length === size`). */
  diagonal(out: Float64Array): void;
  /** Writes row `i` (equal to column `i`) into `out` (`out.length === size`). */
  row(i: number, out: Float64Array): void;
  /**
   * `target[j] += scale * M_ij` for every `j`: the oracle's update, without
   * the copy of the row that {@link SymmetricRows.row} would make.
   */
  addScaledRow(i: number, scale: number, target: Float64Array): void;
}

/** A {@link SymmetricRows} over a dense row-major array, which it exposes as `data`. */
export interface DenseSymmetricRows extends SymmetricRows {
  /** The row-major entries, held by reference. */
  readonly data: Float64Array;
}

/**
 * Wraps an EXACTLY symmetric row-major matrix (held by reference, not
 * copied or checked beyond its size: a row is read for a column).
 *
 * @example
 * const m = denseSymmetricRows({ data: Float64Array.of(2, 0, 0, 2), size: 2 });
 * const h = Float64Array.of(1, 1);
 * m.addScaledRow(0, -0.5, h); // h = [0, 1]
 */
export function denseSymmetricRows(matrix: {
  readonly data: Float64Array;
  readonly size: number;
}): DenseSymmetricRows {
  const { data, size } = matrix;
  if (!Number.isInteger(size) || size < 0 || data.length !== size * size) {
    throw new InputError(
      'hessian',
      `is ${String(size)}x${String(size)} with ${data.length} entries; pass row-major data of a square matrix`,
    );
  }
  return new DenseRows(data, size);
}

class DenseRows implements DenseSymmetricRows {
  constructor(
    readonly data: Float64Array,
    readonly size: number,
  ) {}

  diagonal(out: Float64Array): void {
    const { data, size } = this;
    for (let i = 0; i < size; i++) out[i] = data[i * size + i];
  }

  row(i: number, out: Float64Array): void {
    out.set(this.data.subarray(i * this.size, (i + 1) * this.size));
  }

  addScaledRow(i: number, scale: number, target: Float64Array): void {
    const { data, size } = this;
    const base = i * size;
    for (let j = 0; j < size; j++) target[j] += data[base + j] * scale;
  }
}

/** `(M + M^T) / 2` as rows, and its product with a vector: what {@link symmetrizedRows} returns. */
export interface SymmetrizedRows {
  /** `(M + M^T) / 2`, a row at a time (holds `M` by reference). */
  readonly rows: SymmetricRows;
  /** `((M + M^T) / 2) v`, summed per row in column order. */
  readonly product: Float64Array;
}

/**
 * `(M + M^T) / 2` of a finite row-major `M` that is symmetric within
 * round-off, read a row at a time, and its product with `v`, without the
 * `r` x `r` symmetrized copy: at r = 4096 allocating that copy (128 MiB)
 * and touching it for the first time took 0.4-0.5 s here, 25 plain passes
 * over `M`. Entry `(i, j)` is `0.5 * (M_ij + M_ji)` (the diagonal `M_ii`)
 * and `product[i]` adds `entry(i, j) * v[j]` for `j = 0, 1, ...` from 0,
 * so both are bit for bit what a symmetrized copy and a row-by-row product
 * over it give. One tiled pass over `M` computes the product and finds
 * whether `M` is exactly symmetric (and no entry is near overflow); only
 * then does a row stand for its column, whose entries may then differ from
 * the copy's in the sign of a zero (`M_ij = -0`, `M_ji = +0`: the copy holds
 * +0), which no sum or comparison tells apart. Otherwise each `row` and
 * `addScaledRow` also reads column `i` (a cache miss per entry) and gives
 * the copy's entries exactly. The caller validates `M` (finite, symmetric within
 * tolerance, sizes); this function checks only that `M` is square and
 * matches `v`.
 *
 * @example
 * const { rows, product } = symmetrizedRows(
 *   { data: Float64Array.of(2, -1, -1.5, 2), size: 2 },
 *   Float64Array.of(1, 1),
 * );
 * product; // Float64Array [0.75, 0.75]
 * rows.addScaledRow(0, 1, new Float64Array(2)); // adds [2, -1.25]
 */
export function symmetrizedRows(
  matrix: { readonly data: Float64Array; readonly size: number },
  v: Float64Array,
): SymmetrizedRows {
  const { data, size } = matrix;
  if (!Number.isInteger(size) || size < 0 || data.length !== size * size || v.length !== size) {
    throw new InputError(
      'hessian',
      `is ${String(size)}x${String(size)} with ${data.length} entries; pass row-major data of a square matrix matching the ${v.length} singular values`,
    );
  }
  const product = new Float64Array(size);
  // [pairs that differ or could overflow when added]
  const state = Float64Array.of(0);
  for (let ib = 0; ib < size; ib += SYMMETRIC_TILE) {
    const iEnd = Math.min(ib + SYMMETRIC_TILE, size);
    // every column tile, in order, so each row sums in column order
    for (let jb = 0; jb < size; jb += SYMMETRIC_TILE) {
      productTile(data, size, v, ib, iEnd, jb, Math.min(jb + SYMMETRIC_TILE, size), product, state);
    }
  }
  // exactly symmetric: the plain rows are the copy's (up to the sign of a zero)
  const rows = state[0] === 0 ? new DenseRows(data, size) : new AveragedRows(data, size);
  return { rows, product };
}

/** Entries at most this large in magnitude add to a finite sum: `(x + x) / 2` is then `x` exactly. */
const HALF_MAX = Number.MAX_VALUE / 2;

/**
 * {@link symmetrizedRows}'s product over rows `[ib, iEnd)` by columns
 * `[jb, jEnd)`, counting in `state[0]` the pairs that keep a row from
 * standing for its column. A function per tile: V8 compiles a function
 * called many times as a whole, where the loop of a long-running one is
 * reached only by on-stack replacement, whose code was slower here.
 */
function productTile(
  m: Float64Array,
  size: number,
  v: Float64Array,
  ib: number,
  iEnd: number,
  jb: number,
  jEnd: number,
  product: Float64Array,
  state: Float64Array,
): void {
  for (let i = ib; i < iEnd; i++) {
    const row = i * size;
    if (i < jb || i >= jEnd) {
      product[i] = offDiagonalSum(m, size, v, i, jb, jEnd, product[i], state);
      continue;
    }
    // the diagonal splits the row, which still sums in column order
    let acc = offDiagonalSum(m, size, v, i, jb, i, product[i], state);
    acc += m[row + i] * v[i];
    product[i] = offDiagonalSum(m, size, v, i, i + 1, jEnd, acc, state);
  }
}

/** `acc` plus `0.5 (M_ij + M_ji) v_j` for `j` in `[from, to)` (none `=== i`), in order. */
function offDiagonalSum(
  m: Float64Array,
  size: number,
  v: Float64Array,
  i: number,
  from: number,
  to: number,
  acc: number,
  state: Float64Array,
): number {
  const row = i * size;
  let inexact = 0;
  for (let j = from; j < to; j++) {
    const mij = m[row + j];
    const mji = m[j * size + i];
    inexact += +(mij !== mji || Math.abs(mij) > HALF_MAX);
    acc += 0.5 * (mij + mji) * v[j];
  }
  state[0] += inexact;
  return acc;
}

/** `(M + M^T) / 2` of a matrix that is not exactly symmetric: each row also reads its column. */
class AveragedRows implements SymmetricRows {
  constructor(
    private readonly m: Float64Array,
    readonly size: number,
  ) {}

  diagonal(out: Float64Array): void {
    const { m, size } = this;
    for (let i = 0; i < size; i++) out[i] = m[i * size + i];
  }

  row(i: number, out: Float64Array): void {
    const { m, size } = this;
    const base = i * size;
    for (let j = 0; j < size; j++)
      out[j] = j === i ? m[base + j] : 0.5 * (m[base + j] + m[j * size + i]);
  }

  addScaledRow(i: number, scale: number, target: Float64Array): void {
    const { m, size } = this;
    const base = i * size;
    for (let j = 0; j < size; j++) {
      const entry = j === i ? m[base + j] : 0.5 * (m[base + j] + m[j * size + i]);
      target[j] += entry * scale;
    }
  }
}
