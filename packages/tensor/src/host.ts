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

function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
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

/**
 * Validates a square matrix and copies it into a row-major `Float64Array`.
 * @param name - the input's name, used in error messages
 * @param m - rows, or `{ data, size }` in row-major order
 * @param expectedSize - if given, the required number of rows and columns
 */
export function toFloat64Matrix(
  name: string,
  m: MatrixLike,
  expectedSize?: number,
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
      for (let j = 0; j < size; j++) data[i * size + j] = row[j];
    }
  } else if (m && typeof m === 'object' && 'data' in m && 'size' in m) {
    size = m.size;
    if (!Number.isInteger(size) || size < 0) {
      throw new InputError(name, `size ${String(size)} is not a non-negative integer`);
    }
    if (m.data.length !== size * size) {
      throw new InputError(
        name,
        `has ${m.data.length} entries but size ${size} needs ${size * size}; pass row-major data of a square matrix`,
      );
    }
    data = Float64Array.from(m.data);
  } else {
    throw new InputError(name, 'expected number[][] or { data, size } in row-major order');
  }
  if (expectedSize !== undefined && size !== expectedSize) {
    throw new InputError(
      name,
      `is ${size}x${size} but ${expectedSize}x${expectedSize} is required to match sigma`,
    );
  }
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    const i = Math.floor(bad / size),
      j = bad % size;
    throw new InputError(
      name,
      `entry (${i}, ${j}) is ${String(data[bad])}; every value must be a finite number`,
    );
  }
  return { data, size };
}

/**
 * Throws unless `m` (row-major, `size` x `size`) is symmetric within
 * `tol * max(1, max |m_ij|)`.
 */
export function assertSymmetric(
  name: string,
  m: { data: ArrayLike<number>; size: number },
  tol = 1e-8,
): void {
  const { data, size } = m;
  let scale = 1;
  for (let k = 0; k < data.length; k++) scale = Math.max(scale, Math.abs(data[k]));
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const a = data[i * size + j],
        b = data[j * size + i];
      if (Math.abs(a - b) > tol * scale) {
        throw new InputError(
          name,
          `is not symmetric: entry (${i}, ${j}) = ${a} but (${j}, ${i}) = ${b}; pass (H + H^T) / 2 if the asymmetry is round-off`,
        );
      }
    }
  }
}
