/** The transpose of broadcasting, shared by the derivative rules. */
import { shapesEqual, type Shape } from '@sublora/tensor';
import type { Value } from '../ir/builder';
import { reshape, sum } from '../ops';

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
