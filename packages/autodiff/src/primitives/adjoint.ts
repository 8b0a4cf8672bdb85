/**
 * `adjointOf(ct, m)`: the value of `ct`, marked as the cotangent of the
 * forward product `m` on its way into that product's backward matmul.
 *
 * Only the gradient that {@link hessian} differentiates carries these marks
 * (`vjpNodes` with `markAdjoints`), and `hessian` removes them: no graph a
 * transformation returns contains one. The mark lets `hessian` see, at the
 * point where reverse mode multiplies a cotangent by a weight `W` that does
 * not depend on the differentiated input, which forward product `m = A W`
 * that cotangent belongs to, so it can replace the batched tangent
 * `d(ct) W^T` (a full product per direction) by a small Gram product with
 * the forward tangents of `m`. As a function it is the identity on `ct`;
 * `m` carries no derivative. `{ contraction }` is the length of the product's
 * contracted axis, which the cost rule compares with the number of directions.
 */
import { shapesEqual, shapeToString, TensorError } from '@sublora/tensor';
import type { Primitive } from './types';
import { arity, sameDType } from './util';

/** The cotangent mark (see module doc). */
export const adjointOf: Primitive = {
  name: 'adjointOf',
  infer(xs, params) {
    arity('adjointOf', xs, 2);
    const dtype = sameDType('adjointOf', xs);
    if (!shapesEqual(xs[0].shape, xs[1].shape)) {
      throw new TensorError(
        'adjointOf',
        `cotangent ${shapeToString(xs[0].shape)} and product ${shapeToString(xs[1].shape)} must have one shape`,
      );
    }
    const c = params.contraction;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1) {
      throw new TensorError('adjointOf', `contraction ${String(c)} must be a positive integer`);
    }
    return { shape: xs[0].shape, dtype };
  },
  jvp: ({ tangents: [t] }) => t,
  transpose: ({ ct, needs }) => [needs[0] ? ct : null, null],
  // A same-dtype cast is the backends' identity (the reference backend shares the data).
  evaluate: (backend, [ct]) => backend.cast(ct, ct.dtype),
};
