/** Elementwise binary kernels with numpy broadcasting. */
import type { BinaryOp, HostArray, Shape } from '../../backend';
import { broadcastBinary } from './broadcast-iterator';

/** The {@link BinaryRun} of the arithmetic ops. */
function binaryRun(
  op: BinaryOp,
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
    case 'add':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] + b[ib];
      return;
    case 'sub':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] - b[ib];
      return;
    case 'mul':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] * b[ib];
      return;
    case 'div':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] / b[ib];
      return;
    case 'pow':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.pow(a[ia], b[ib]);
      return;
    case 'maximum':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.max(a[ia], b[ib]);
      return;
    case 'minimum':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.min(a[ia], b[ib]);
      return;
  }
}

/**
 * `out = op(a, b)` with `a`, `b` broadcast to `outShape` (their numpy
 * broadcast, already validated). `maximum`/`minimum` propagate NaN.
 */
export function binaryImpl(
  op: BinaryOp,
  a: HostArray,
  aShape: Shape,
  b: HostArray,
  bShape: Shape,
  out: HostArray,
  outShape: Shape,
): void {
  broadcastBinary(binaryRun, op, a, aShape, b, bShape, out, outShape);
}
