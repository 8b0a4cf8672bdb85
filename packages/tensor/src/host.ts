/**
 * Plain host inputs (what users pass from JSON, numpy or another framework)
 * and their validation into float64 row-major arrays.
 *
 * Every failure is a {@link InputError} with a one-line message that names the
 * input and says how to fix it.
 */

/** A vector given as a plain or typed array. */
export type VectorLike = readonly number[] | Float64Array | Float32Array;

/** A dense square matrix in row-major order. */
export interface DenseMatrix {
  readonly data: Float64Array | Float32Array | readonly number[];
  readonly size: number;
}

/** A square matrix given as rows (`number[][]`) or as row-major data with its size. */
export type MatrixLike = readonly (readonly number[])[] | DenseMatrix;

/** Bad user input: the message is one line naming the input and the fix. */
export class InputError extends Error {
  /** The name of the offending input (e.g. `hessian`, `budget`). */
  readonly input: string;
  constructor(input: string, message: string) {
    super(`${input}: ${message}`);
    this.name = 'InputError';
    this.input = input;
  }
}

/** Entries per block of the typed-array scan in {@link firstNonFinite}. */
const FINITE_SCAN_BLOCK = 1024;

/** Index of the first entry that is not a finite number, or -1. */
function firstNonFinite(data: ArrayLike<number>): number {
  if (data instanceof Float64Array || data instanceof Float32Array) {
    // x - x is 0 for finite x and NaN otherwise, and NaN survives a sum: four
    // independent sums per block, and an entry-by-entry look only at a block
    // that holds a non-finite value
    const n = data.length;
    for (let start = 0; start < n; start += FINITE_SCAN_BLOCK) {
      const end = Math.min(start + FINITE_SCAN_BLOCK, n);
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let k = start;
      for (; k + 3 < end; k += 4) {
        s0 += data[k] - data[k];
        s1 += data[k + 1] - data[k + 1];
        s2 += data[k + 2] - data[k + 2];
        s3 += data[k + 3] - data[k + 3];
      }
      for (; k < end; k++) s0 += data[k] - data[k];
      if (s0 + s1 + s2 + s3 !== 0) return firstNonFiniteIn(data, start, end);
    }
    return -1;
  }
  // plain arrays may hold non-numbers, for which x - x can still be 0
  return firstNonFiniteIn(data, 0, data.length);
}

function firstNonFiniteIn(data: ArrayLike<number>, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/**
 * Validates a vector and copies it into a new `Float64Array`.
 * @param name - the input's name, used in error messages
 * @param expectedLength - if given, the required length
 */
export function toFloat64Vector(
  name: string,
  v: VectorLike,
  expectedLength?: number,
): Float64Array {
  if (!Array.isArray(v) && !(v instanceof Float64Array) && !(v instanceof Float32Array)) {
    throw new InputError(name, 'expected an array of numbers; pass e.g. [0.5, 1.2, 3]');
  }
  if (expectedLength !== undefined && v.length !== expectedLength) {
    throw new InputError(
      name,
      `has length ${v.length} but ${expectedLength} is required; pass one value per singular value`,
    );
  }
  const bad = firstNonFinite(v);
  if (bad >= 0) {
    throw new InputError(
      name,
      `entry ${bad} is ${String(v[bad])}; every value must be a finite number`,
    );
  }
  return Float64Array.from(v);
}

/** Options of {@link toFloat64Matrix}. */
export interface ToFloat64MatrixOptions {
  /**
   * `true` (default): always return a fresh copy. `false`: when the input is
   * already `{ data: Float64Array, size }`, validate it in place and return
   * that same array (no copy, O(1) extra memory); the caller then must not
   * write to it. Rows and `Float32Array` data are copied either way.
   */
  readonly copy?: boolean;
  /**
   * `true` (default): reject a non-finite entry here. `false`: skip that scan
   * (sizes are still checked), for a caller that makes its own pass over the
   * pairs anyway and then calls {@link assertFiniteSymmetricScan}, which
   * raises the same error: one pass over the matrix instead of two.
   */
  readonly checkFinite?: boolean;
}

/**
 * Validates a square matrix and returns it as a row-major `Float64Array`,
 * a copy unless `options.copy` is `false` (see {@link ToFloat64MatrixOptions}).
 * @param name - the input's name, used in error messages
 * @param m - rows, or `{ data, size }` in row-major order
 * @param expectedSize - if given, the required number of rows and columns
 */
export function toFloat64Matrix(
  name: string,
  m: MatrixLike,
  expectedSize?: number,
  options: ToFloat64MatrixOptions = {},
): { data: Float64Array; size: number } {
  let data: Float64Array;
  let size: number;
  if (Array.isArray(m)) {
    const rows = m as readonly (readonly number[])[];
    size = rows.length;
    data = new Float64Array(size * size);
    for (let i = 0; i < size; i++) {
      const row = rows[i];
      if (!Array.isArray(row) || row.length !== size) {
        throw new InputError(
          name,
          `row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries but the matrix has ${size} rows; pass a square matrix`,
        );
      }
      // `set` converts each entry as an assignment would (ToNumber), in one native call per row
      data.set(row, i * size);
    }
  } else if (m && typeof m === 'object' && 'data' in m && 'size' in m) {
    size = m.size;
    if (!Number.isInteger(size) || size < 0) {
      // JSON quoting shows that "2" is a string, not the number 2
      const shown = typeof size === 'string' ? JSON.stringify(size) : String(size);
      throw new InputError(
        name,
        `size ${shown} is not a non-negative integer; pass the row count as a number`,
      );
    }
    if (m.data.length !== size * size) {
      throw new InputError(
        name,
        `has ${m.data.length} entries but size ${size} needs ${size * size}; pass row-major data of a square matrix`,
      );
    }
    data =
      options.copy === false && m.data instanceof Float64Array ? m.data : Float64Array.from(m.data);
  } else {
    throw new InputError(name, 'expected number[][] or { data, size } in row-major order');
  }
  if (expectedSize !== undefined && size !== expectedSize) {
    throw new InputError(
      name,
      `is ${size}x${size} but ${expectedSize}x${expectedSize} is required to match sigma`,
    );
  }
  if (options.checkFinite !== false) {
    const bad = firstNonFinite(data);
    if (bad >= 0) throw nonFiniteEntryError(name, data, size, bad);
  }
  return { data, size };
}

function nonFiniteEntryError(
  name: string,
  data: ArrayLike<number>,
  size: number,
  bad: number,
): InputError {
  const i = Math.floor(bad / size),
    j = bad % size;
  return new InputError(
    name,
    `entry (${i}, ${j}) is ${String(data[bad])}; every value must be a finite number`,
  );
}

/**
 * Side of the square tiles in which {@link assertSymmetric} visits the pairs
 * `(i, j)`, `(j, i)`: a tile and its mirror stay in cache, so reading the
 * transpose costs about as much as reading a row. Exported for the other
 * pairwise O(r^2) kernels (projection, symmetrization) to use the same tiling.
 */
export const SYMMETRIC_TILE = 64;

/**
 * What one pass over the pairs `(i, j)`, `(j, i)` of a square matrix found:
 * the input of {@link assertFiniteSymmetricScan}. A kernel that walks the
 * pairs for its own purpose fills it on the way, at the cost of an
 * absolute difference and a comparison per pair.
 */
export interface SymmetryScan {
  /** `max |m_ij - m_ji|` over the pairs `i < j` (`-Infinity` when there are none). */
  readonly maxAsymmetry: number;
  /**
   * `sum m_ij^2` over every entry: not finite when some entry is not finite
   * (or, harmlessly, when the squares overflow).
   */
  readonly sumOfSquares: number;
}

/**
 * Throws unless `m` (row-major, `size` x `size`) is symmetric within
 * `tol * max |m_ij|`: relative at every magnitude, so a matrix of small
 * entries is held to the same rule as that matrix scaled up (an exactly
 * symmetric one, all zeros included, passes). The error names the first violating pair
 * `(i, j)`, `i < j`, in row-major order. Entries that are not finite make
 * the scale non-finite, and then (for `tol >= 0`) no pair counts as a
 * violation; `toFloat64Matrix` rejects such entries first.
 *
 * One cache-friendly pass (tiles of {@link SYMMETRIC_TILE}) finds the scale
 * and the largest asymmetry together; only when that exceeds the tolerance is
 * the matrix scanned again, in row-major order, for the first violation.
 */
export function assertSymmetric(
  name: string,
  m: { data: ArrayLike<number>; size: number },
  tol = 1e-8,
): void {
  const { data, size } = m;
  // [scale, largest asymmetry]; the scale starts at 0, not 1, so the tolerance
  // stays relative below magnitude 1. Math.max propagates NaN: a NaN entry makes
  // the scale NaN and, as an infinite one does, leaves no pair counted as a violation
  const found = Float64Array.of(0, -Infinity);
  for (let ib = 0; ib < size; ib += SYMMETRIC_TILE) {
    const iEnd = Math.min(ib + SYMMETRIC_TILE, size);
    for (let jb = ib; jb < size; jb += SYMMETRIC_TILE) {
      symmetryTile(data, size, ib, iEnd, jb, Math.min(jb + SYMMETRIC_TILE, size), found);
    }
  }
  throwIfAsymmetric(name, m, found[0], found[1], tol);
}

/**
 * {@link assertSymmetric}'s pairs in rows `[ib, iEnd)` by columns `[jb, jEnd)`,
 * folded into `found` = [scale, largest asymmetry]. A function per tile, not
 * one loop over all tiles: V8 compiles a function called many times as a
 * whole, but reaches the loop of a function called once by on-stack
 * replacement, whose code was slower here (r = 4096: 48 ms on the first
 * call against 31 ms once warm).
 */
function symmetryTile(
  data: ArrayLike<number>,
  size: number,
  ib: number,
  iEnd: number,
  jb: number,
  jEnd: number,
  found: Float64Array,
): void {
  let scale = found[0];
  let maxAsymmetry = found[1];
  for (let i = ib; i < iEnd; i++) {
    const row = i * size;
    // j = i visits the diagonal once, for the scale
    for (let j = jb === ib ? i : jb; j < jEnd; j++) {
      const a = data[row + j];
      const b = data[j * size + i];
      scale = Math.max(scale, Math.abs(a), Math.abs(b));
      const asymmetry = Math.abs(a - b);
      if (asymmetry > maxAsymmetry) maxAsymmetry = asymmetry;
    }
  }
  found[0] = scale;
  found[1] = maxAsymmetry;
}

/**
 * The checks of `toFloat64Matrix` (finite entries) and {@link assertSymmetric},
 * in that order and with the same messages, decided from a {@link SymmetryScan}
 * that the caller's own pass over the pairs produced. With
 * `toFloat64Matrix(name, m, size, { checkFinite: false })` before it, a kernel
 * that walks the pairs anyway (the Hessian projection) validates the matrix
 * without a pass of its own. `m` is read again only when it may fail: to find
 * the first non-finite entry when `sumOfSquares` is not finite, and to find
 * the scale `max |m_ij|` when `maxAsymmetry` exceeds `tol` times the root mean
 * square of the entries (a lower bound on the scale, so for `tol >= 0` a
 * smaller asymmetry passes whatever the scale).
 *
 * @param m - the matrix the scan was made over
 * @param scan - that pass's largest asymmetry and sum of squares
 * @param tol - as in {@link assertSymmetric}
 */
export function assertFiniteSymmetricScan(
  name: string,
  m: { data: ArrayLike<number>; size: number },
  scan: SymmetryScan,
  tol = 1e-8,
): void {
  if (!Number.isFinite(scan.sumOfSquares)) {
    const bad = firstNonFinite(m.data);
    if (bad >= 0) throw nonFiniteEntryError(name, m.data, m.size, bad);
  }
  // rms <= max |m_ij| (taken as 0 when the squares overflowed); halved so the
  // rounding of a long sum cannot lift the bound above the scale
  const rms = Number.isFinite(scan.sumOfSquares)
    ? 0.5 * Math.sqrt(scan.sumOfSquares / m.data.length)
    : 0;
  if (tol >= 0 && (!(scan.maxAsymmetry > 0) || scan.maxAsymmetry <= tol * rms)) return;
  let scale = 0;
  for (let k = 0; k < m.data.length; k++) scale = Math.max(scale, Math.abs(m.data[k]));
  throwIfAsymmetric(name, m, scale, scan.maxAsymmetry, tol);
}

/** The verdict of the symmetry check from its scale and largest asymmetry; names the first violating pair. */
function throwIfAsymmetric(
  name: string,
  m: { data: ArrayLike<number>; size: number },
  scale: number,
  maxAsymmetry: number,
  tol: number,
): void {
  const limit = tol * scale;
  if (!(maxAsymmetry > limit)) return;
  const { data, size } = m;
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const a = data[i * size + j],
        b = data[j * size + i];
      if (Math.abs(a - b) > limit) {
        throw new InputError(
          name,
          `is not symmetric: entry (${i}, ${j}) = ${a} but (${j}, ${i}) = ${b}; pass (H + H^T) / 2 if the asymmetry is round-off`,
        );
      }
    }
  }
}
