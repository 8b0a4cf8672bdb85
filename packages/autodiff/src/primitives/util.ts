/** Helpers shared by the primitive rules. */
import { shapesEqual, shapeToString, TensorError, type Shape } from '@sublora/tensor';
import type { Value } from '../ir/builder';
import type { Aval } from '../ir/types';
import { reshape, sum } from '../ops';

/** Throws unless all operands share one dtype; returns it. */
export function sameDType(op: string, xs: readonly Aval[]): Aval['dtype'] {
  const d = xs[0].dtype;
  for (const x of xs) {
    if (x.dtype !== d) {
      throw new TensorError(
        op,
        `dtypes differ: ${xs.map((v) => `${v.dtype}${shapeToString(v.shape)}`).join(' vs ')}; use cast`,
      );
    }
  }
  return d;
}

/** Throws unless there are exactly `n` operands. */
export function arity(op: string, xs: readonly Aval[], n: number): void {
  if (xs.length !== n) throw new TensorError(op, `expects ${n} operand(s), got ${xs.length}`);
}

/**
 * Sums a cotangent of a broadcast result back to an operand's `shape`: the
 * transpose of numpy broadcasting.
 */
export function unbroadcast(ct: Value, shape: Shape): Value {
  if (shapesEqual(ct.shape, shape)) return ct;
  const lead = ct.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(ct, axes), shape);
}

/** Checks that `xs` is an array of integers, each in `[lo, hi)`. */
export function checkInts(
  op: string,
  name: string,
  xs: unknown,
  lo: number,
  hi: number,
): readonly number[] {
  if (!Array.isArray(xs) || xs.some((v) => !Number.isInteger(v) || v < lo || v >= hi)) {
    throw new TensorError(
      op,
      `${name} must be integers in [${lo}, ${hi}), got ${JSON.stringify(xs)}`,
    );
  }
  return xs as number[];
}
