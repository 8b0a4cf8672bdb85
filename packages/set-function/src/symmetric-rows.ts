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
import { InputError } from '@sublora/tensor';

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
