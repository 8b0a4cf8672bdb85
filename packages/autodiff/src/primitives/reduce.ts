/**
 * Reductions `sum` and `mean` over `{ axes, keepDims }` (linear). Transpose:
 * broadcast the cotangent back over the reduced axes (divided by the count for
 * `mean`).
 */
import type { Value } from '../ir/builder';
import type { Aval } from '../ir/types';
import * as ops from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';

/** Broadcasts a reduced cotangent back to `x`'s shape. */
function spread(ct: Value, x: Aval, axes: readonly number[]): Value {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return ops.broadcastTo(ops.reshape(ct, kept), x.shape);
}

/** Sum over axes. */
export const sum: Primitive = {
  name: 'sum',
  infer: SHAPE_RULES.sum,
  jvp: ({ primals, tangents, params, out, T }) =>
    T.apply('sum', tangents[0], params, primals[0], out),
  transpose: ({ ct, primals: [x], params }) => [spread(ct, x, params.axes as number[])],
  evaluate: (backend, [x], params) =>
    backend.reduce('sum', x, params.axes as number[], params.keepDims as boolean),
};

/** Mean over axes. */
export const mean: Primitive = {
  name: 'mean',
  infer: SHAPE_RULES.mean,
  jvp: ({ primals, tangents, params, out, T }) =>
    T.apply('mean', tangents[0], params, primals[0], out),
  transpose({ ct, primals: [x], params }) {
    const axes = params.axes as number[];
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return [spread(ops.div(ct, count), x, axes)];
  },
  evaluate: (backend, [x], params) =>
    backend.reduce('mean', x, params.axes as number[], params.keepDims as boolean),
};
