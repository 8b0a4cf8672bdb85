/**
 * Comparisons (1/0 results, zero derivative), `where` (linear in its two
 * branches) and `cast` (linear; transpose casts back).
 */
import type { CompareOp } from '@sublora/tensor';
import * as ops from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';
import { unbroadcast } from './util';

/** `{ op }` comparison; piecewise constant, so its derivative is zero. */
export const compare: Primitive = {
  name: 'compare',
  infer: SHAPE_RULES.compare,
  jvp: () => null,
  vjp: () => [null, null],
  evaluate: (backend, [a, b], params) => backend.compare(params.op as CompareOp, a, b),
};

/** `cond ? a : b`; the condition gets no derivative. */
export const where: Primitive = {
  name: 'where',
  infer: SHAPE_RULES.where,
  jvp: ({ primals: [c], tangents: [, ta, tb], out, T }) => T.where(c, ta, tb, out),
  transpose: ({ ct, primals: [c, a, b], needs }) => [
    null,
    needs[1] ? unbroadcast(ops.where(c, ct, 0), a.shape) : null,
    needs[2] ? unbroadcast(ops.where(c, 0, ct), b.shape) : null,
  ],
  evaluate: (backend, [c, a, b]) => backend.where(c, a, b),
};

/** `{ dtype }` conversion. */
export const cast: Primitive = {
  name: 'cast',
  infer: SHAPE_RULES.cast,
  jvp: ({ primals, tangents, params, out, T }) =>
    T.apply('cast', tangents[0], params, primals[0], out),
  transpose: ({ ct, primals: [x] }) => [ops.cast(ct, x.dtype)],
  evaluate: (backend, [x], params) => backend.cast(x, params.dtype as 'float32' | 'float64'),
};
