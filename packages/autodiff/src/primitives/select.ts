/**
 * Comparisons (1/0 results, zero derivative), `where` (linear in its two
 * branches) and `cast` (linear; transpose casts back).
 */
import { broadcastShapes, type CompareOp, TensorError } from '@sublora/tensor';
import * as ops from '../ops';
import type { Primitive } from './types';
import { arity, sameDType, unbroadcast } from './util';

const compareOps: readonly CompareOp[] = ['less', 'lessEqual', 'greater', 'greaterEqual', 'equal'];

/** `{ op }` comparison; piecewise constant, so its derivative is zero. */
export const compare: Primitive = {
  name: 'compare',
  infer(xs, params) {
    arity('compare', xs, 2);
    if (!compareOps.includes(params.op as CompareOp)) {
      throw new TensorError(
        'compare',
        `op ${String(params.op)} is not one of ${compareOps.join(', ')}`,
      );
    }
    return {
      shape: broadcastShapes(xs[0].shape, xs[1].shape, 'compare'),
      dtype: sameDType('compare', xs),
    };
  },
  jvp: () => null,
  vjp: () => [null, null],
  evaluate: (backend, [a, b], params) => backend.compare(params.op as CompareOp, a, b),
};

/** `cond ? a : b`; the condition gets no derivative. */
export const where: Primitive = {
  name: 'where',
  infer(xs) {
    arity('where', xs, 3);
    const dtype = sameDType('where', xs);
    const shape = broadcastShapes(
      broadcastShapes(xs[0].shape, xs[1].shape, 'where'),
      xs[2].shape,
      'where',
    );
    return { shape, dtype };
  },
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
  infer(xs, params) {
    arity('cast', xs, 1);
    if (params.dtype !== 'float32' && params.dtype !== 'float64') {
      throw new TensorError('cast', `dtype ${String(params.dtype)} is not float64 or float32`);
    }
    return { shape: xs[0].shape, dtype: params.dtype };
  },
  jvp: ({ primals, tangents, params, out, T }) =>
    T.apply('cast', tangents[0], params, primals[0], out),
  transpose: ({ ct, primals: [x] }) => [ops.cast(ct, x.dtype)],
  evaluate: (backend, [x], params) => backend.cast(x, params.dtype as 'float32' | 'float64'),
};
