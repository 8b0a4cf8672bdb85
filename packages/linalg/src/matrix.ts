/**
 * A dense row-major float64 matrix on the host. Plain data (no methods), so it
 * crosses package boundaries, checkpoints and worker messages as it is.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Entry (i, j) is `data[i * cols + j]`. */
  readonly data: Float64Array;
}

/** A `rows x cols` matrix over `data` (copied unless it is already a Float64Array of the right length). */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0)
    throw new RangeError(`matrix: shape ${rows} x ${cols} is not a pair of non-negative integers`);
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols)
    throw new RangeError(
      `matrix: ${data.length} entries given for a ${rows} x ${cols} matrix (needs ${rows * cols})`,
    );
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** A matrix from nested rows (all of one length). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length === 0 ? 0 : rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== cols)
      throw new RangeError(`fromRows: row ${i} has ${r.length} entries, row 0 has ${cols}`);
  });
  return matrix(rows.length, cols, rows.flat());
}

/** Nested rows of `a` (for printing and tests). */
export function toRows(a: Matrix): number[][] {
  return Array.from({ length: a.rows }, (_, i) =>
    Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)),
  );
}

/** The `n x n` identity, or its first `cols` columns when `cols < n` (an orthonormal frame). */
export function identity(n: number, cols = n): Matrix {
  const out = matrix(n, cols);
  for (let i = 0; i < Math.min(n, cols); i++) out.data[i * cols + i] = 1;
  return out;
}

/** `a^T`. */
export function transpose(a: Matrix): Matrix {
  const out = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

/** `op(a) op(b)` with optional transposes, in float64 (i-k-j loop order, no blocking: these matrices are small or thin). */
export function matmul(
  a: Matrix,
  b: Matrix,
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): Matrix {
  const A = options.transposeA ? transpose(a) : a;
  const B = options.transposeB ? transpose(b) : b;
  if (A.cols !== B.rows)
    throw new RangeError(
      `matmul: inner dimensions differ (${A.rows} x ${A.cols} times ${B.rows} x ${B.cols})`,
    );
  const out = matrix(A.rows, B.cols);
  const n = B.cols;
  for (let i = 0; i < A.rows; i++) {
    const row = i * n;
    for (let k = 0; k < A.cols; k++) {
      const aik = A.data[i * A.cols + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) out.data[row + j] += aik * B.data[bk + j];
    }
  }
  return out;
}

/** The columns `start .. end-1` of `a`. */
export function columns(a: Matrix, start: number, end: number): Matrix {
  if (!(
    Number.isInteger(start) &&
    Number.isInteger(end) &&
    0 <= start &&
    start <= end &&
    end <= a.cols
  ))
    throw new RangeError(`columns: range ${start}..${end} is outside 0..${a.cols}`);
  const k = end - start;
  const out = matrix(a.rows, k);
  for (let i = 0; i < a.rows; i++)
    out.data.set(a.data.subarray(i * a.cols + start, i * a.cols + end), i * k);
  return out;
}

/** `[a | b]`: the columns of `b` after those of `a` (same row count). */
export function hconcat(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows)
    throw new RangeError(`hconcat: row counts differ (${a.rows} and ${b.rows})`);
  const cols = a.cols + b.cols;
  const out = matrix(a.rows, cols);
  for (let i = 0; i < a.rows; i++) {
    out.data.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), i * cols);
    out.data.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), i * cols + a.cols);
  }
  return out;
}

/** Frobenius norm, scaled to avoid overflow and underflow. */
export function frobeniusNorm(a: Matrix): number {
  let scale = 0;
  for (const x of a.data) scale = Math.max(scale, Math.abs(x));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (const x of a.data) s += (x / scale) * (x / scale);
  return scale * Math.sqrt(s);
}

/** `||a^T a - I||_F`: how far the columns of `a` are from orthonormal. */
export function orthogonalityError(a: Matrix): number {
  const g = matmul(a, a, { transposeA: true });
  for (let i = 0; i < g.rows; i++) g.data[i * g.cols + i] -= 1;
  return frobeniusNorm(g);
}
