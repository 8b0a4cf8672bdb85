/** Elementwise comparisons with numpy broadcasting: 1 where true, 0 where false. */
import type { CompareOp, HostArray, Shape } from '../../backend';
import { broadcastBinary } from './broadcast-iterator';

/** The {@link BinaryRun} of the comparisons. */
function compareRun(
  op: CompareOp,
  a: HostArray,
  ia: number,
  sa: number,
  b: HostArray,
  ib: number,
  sb: number,
  out: HostArray,
  o: number,
  n: number,
): void {
  const end = o + n;
  switch (op) {
    case 'less':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] < b[ib] ? 1 : 0;
      return;
    case 'lessEqual':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] <= b[ib] ? 1 : 0;
      return;
    case 'greater':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] > b[ib] ? 1 : 0;
      return;
    case 'greaterEqual':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] >= b[ib] ? 1 : 0;
      return;
    case 'equal':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] === b[ib] ? 1 : 0;
      return;
  }
}

/**
 * `out = (a op b) ? 1 : 0` with `a`, `b` broadcast to `outShape`. Any
 * comparison with NaN is false (IEEE).
 */
export function compareImpl(
  op: CompareOp,
  a: HostArray,
  aShape: Shape,
  b: HostArray,
  bShape: Shape,
  out: HostArray,
  outShape: Shape,
): void {
  broadcastBinary(compareRun, op, a, aShape, b, bShape, out, outShape);
}
