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
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';

/** The cotangent mark (see module doc). */
export const adjointOf: Primitive = {
  name: 'adjointOf',
  infer: SHAPE_RULES.adjointOf,
  jvp: ({ tangents: [t] }) => t,
  transpose: ({ ct, needs }) => [needs[0] ? ct : null, null],
  // A same-dtype cast is the backends' identity (the reference backend shares the data).
  evaluate: (backend, [ct]) => backend.cast(ct, ct.dtype),
};
