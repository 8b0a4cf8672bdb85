/** Reductions (sum, mean, max) along a set of axes. */
import type { HostArray, ReduceOp, Shape } from '../../backend';

/**
 * Groups the axes into alternating kept/reduced blocks, merging neighbours of
 * the same kind, and drops size-1 axes: `[2,3,4]` reducing `{1,2}` becomes
 * kept `2` then reduced `12`.
 */
function groupAxes(
  shape: Shape,
  reduced: ReadonlySet<number>,
): { dims: number[]; isReduced: boolean[] } {
  const dims: number[] = [];
  const isReduced: boolean[] = [];
  for (let axis = 0; axis < shape.length; axis++) {
    if (shape[axis] === 1) continue;
    const r = reduced.has(axis);
    const last = dims.length - 1;
    if (last >= 0 && isReduced[last] === r) dims[last] *= shape[axis];
    else {
      dims.push(shape[axis]);
      isReduced.push(r);
    }
  }
  return { dims, isReduced };
}

/**
 * Reduces `x` (shape `shape`) over `axes` (sorted, distinct) into `out`,
 * whose length is the product of the kept dimensions (row-major over them).
 *
 * `sum` of nothing is 0, `mean` of nothing is NaN, `max` of nothing is
 * -Infinity; `max` propagates NaN. Contiguous cases (row sums, column sums,
 * everything) are single passes; other layouts walk the input once with an
 * odometer.
 */
export function reduceImpl(
  op: ReduceOp,
  x: HostArray,
  shape: Shape,
  axes: readonly number[],
  out: HostArray,
): void {
  let count = 1;
  for (const a of axes) count *= shape[a];
  const isMax = op === 'max';
  out.fill(isMax ? -Infinity : 0);
  if (x.length > 0) {
    const { dims, isReduced } = groupAxes(shape, new Set(axes));
    if (dims.length <= 1 && (dims.length === 0 || isReduced[0]))
      reduceRows(isMax, x, 1, x.length, out);
    else if (dims.length === 1) out.set(x);
    else if (dims.length === 2 && isReduced[1]) reduceRows(isMax, x, dims[0], dims[1], out);
    else if (dims.length === 2) reduceColumns(isMax, x, dims[0], dims[1], out);
    else reduceGeneral(isMax, x, dims, isReduced, out);
  }
  if (op === 'mean') {
    const scale = 1 / count;
    for (let i = 0; i < out.length; i++) out[i] = count === 0 ? NaN : out[i] * scale;
  }
}

// For max, `v > acc || v !== v` keeps a NaN once seen: nothing compares greater than NaN.

/** `x` is `[rows, cols]`; reduce each row into `out[row]`. */
function reduceRows(
  isMax: boolean,
  x: HostArray,
  rows: number,
  cols: number,
  out: HostArray,
): void {
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let acc = isMax ? -Infinity : 0;
    if (isMax) {
      for (let c = 0; c < cols; c++) {
        const v = x[base + c];
        if (v > acc || v !== v) acc = v;
      }
    } else {
      for (let c = 0; c < cols; c++) acc += x[base + c];
    }
    out[r] = acc;
  }
}

/** `x` is `[rows, cols]`; reduce over rows into `out[col]` (bias-gradient shape). */
function reduceColumns(
  isMax: boolean,
  x: HostArray,
  rows: number,
  cols: number,
  out: HostArray,
): void {
  // Accumulate in float64 even when `out` is float32, then round once.
  const acc = new Float64Array(cols).fill(isMax ? -Infinity : 0);
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    if (isMax) {
      for (let c = 0; c < cols; c++) {
        const v = x[base + c];
        if (v > acc[c] || v !== v) acc[c] = v;
      }
    } else {
      for (let c = 0; c < cols; c++) acc[c] += x[base + c];
    }
  }
  out.set(acc);
}

/** Any layout: walk `x` in order, mapping each element to its output slot. */
function reduceGeneral(
  isMax: boolean,
  x: HostArray,
  dims: number[],
  isReduced: boolean[],
  out: HostArray,
): void {
  const rank = dims.length;
  // Output stride of each grouped axis (0 for reduced ones).
  const outStrides = new Array<number>(rank).fill(0);
  for (let axis = rank - 1, s = 1; axis >= 0; axis--) {
    if (!isReduced[axis]) {
      outStrides[axis] = s;
      s *= dims[axis];
    }
  }
  const acc = new Float64Array(out.length).fill(isMax ? -Infinity : 0);
  const inner = dims[rank - 1];
  const innerStride = outStrides[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i += inner) {
    for (let c = 0, oc = o; c < inner; c++, oc += innerStride) {
      const v = x[i + c];
      if (!isMax) acc[oc] += v;
      else if (v > acc[oc] || v !== v) acc[oc] = v;
    }
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++counter[axis] < dims[axis]) {
        o += outStrides[axis];
        break;
      }
      counter[axis] = 0;
      o -= outStrides[axis] * (dims[axis] - 1);
    }
  }
  out.set(acc);
}
