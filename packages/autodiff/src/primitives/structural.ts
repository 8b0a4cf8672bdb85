/**
 * Linear structural primitives: transpose, reshape, broadcast, slice, concat,
 * gather and scatterAdd. Their jvp applies the same primitive to the tangent;
 * their transpose rule is the adjoint index map.
 */
import type { Value } from '../ir/builder';
import type { Aval } from '../ir/types';
import * as ops from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';
import { unbroadcast } from './util';

function sameOpJvp(name: string): Primitive['jvp'] {
  return ({ primals, tangents, params, out, T }) =>
    T.apply(name, tangents[0], params, primals[0], out);
}

/** Permutes axes (`{ perm }`); transpose: the inverse permutation. */
export const transpose: Primitive = {
  name: 'transpose',
  infer: SHAPE_RULES.transpose,
  jvp: sameOpJvp('transpose'),
  transpose({ ct, params }) {
    const perm = params.perm as number[];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [ops.transpose(ct, inv)];
  },
  evaluate: (backend, [x], params) => backend.transpose(x, params.perm as number[]),
};

/** Same data, new shape (`{ shape }`); transpose: reshape back. */
export const reshape: Primitive = {
  name: 'reshape',
  infer: SHAPE_RULES.reshape,
  jvp: sameOpJvp('reshape'),
  transpose: ({ ct, primals: [x] }) => [ops.reshape(ct, x.shape)],
  evaluate: (backend, [x], params) => backend.reshape(x, params.shape as number[]),
};

/** numpy broadcastTo (`{ shape }`); transpose: sum over the broadcast axes. */
export const broadcast: Primitive = {
  name: 'broadcast',
  infer: SHAPE_RULES.broadcast,
  jvp: sameOpJvp('broadcast'),
  transpose: ({ ct, primals: [x] }) => [unbroadcast(ct, x.shape)],
  evaluate: (backend, [x], params) => backend.broadcastTo(x, params.shape as number[]),
};

/** `{ begin, size }` block; transpose: zero padding (concatenation with zeros). */
export const slice: Primitive = {
  name: 'slice',
  infer: SHAPE_RULES.slice,
  jvp: sameOpJvp('slice'),
  transpose: ({ ct, primals: [x], params }) => [padWithZeros(ct, x, params.begin as number[])],
  evaluate: (backend, [x], params) =>
    backend.slice(x, params.begin as number[], params.size as number[]),
};

/** Places `ct` at offset `begin` inside zeros of `x`'s shape. */
function padWithZeros(ct: Value, x: Aval, begin: readonly number[]): Value {
  let y = ct;
  for (let axis = 0; axis < x.shape.length; axis++) {
    const before = begin[axis],
      after = x.shape[axis] - begin[axis] - ct.shape[axis];
    if (before === 0 && after === 0) continue;
    const parts: Value[] = [];
    const zeros = (n: number) =>
      ops.full(
        y,
        0,
        y.shape.map((d, i) => (i === axis ? n : d)),
      );
    if (before > 0) parts.push(zeros(before));
    parts.push(y);
    if (after > 0) parts.push(zeros(after));
    y = ops.concat(parts, axis);
  }
  return y;
}

/** Joins operands along `{ axis }`; transpose: the matching slices. */
export const concat: Primitive = {
  name: 'concat',
  infer: SHAPE_RULES.concat,
  jvp: ({ primals, tangents, params, out, T }) => T.concat(tangents, primals, params, out),
  transpose({ ct, primals, params, needs }) {
    const axis = params.axis as number;
    let offset = 0;
    return primals.map((x, k) => {
      const begin = ct.shape.map((_, i) => (i === axis ? offset : 0));
      offset += x.shape[axis];
      return needs[k] ? ops.slice(ct, begin, x.shape) : null;
    });
  },
  evaluate: (backend, xs, params) => backend.concat(xs, params.axis as number),
};

/** Selects `{ indices }` along `{ axis }`; transpose: scatterAdd. */
export const gather: Primitive = {
  name: 'gather',
  infer: SHAPE_RULES.gather,
  jvp: sameOpJvp('gather'),
  transpose: ({ ct, primals: [x], params }) => [
    ops.scatterAdd(
      ct,
      params.indices as number[],
      params.axis as number,
      x.shape[params.axis as number],
    ),
  ],
  evaluate: (backend, [x], params) =>
    backend.gather(x, params.indices as number[], params.axis as number),
};

/** Accumulates slice k at `indices[k]` of an `axisSize`-long axis; transpose: gather. */
export const scatterAdd: Primitive = {
  name: 'scatterAdd',
  infer: SHAPE_RULES.scatterAdd,
  jvp: sameOpJvp('scatterAdd'),
  transpose: ({ ct, params }) => [
    ops.gather(ct, params.indices as number[], params.axis as number),
  ],
  evaluate: (backend, [x], params) =>
    backend.scatterAdd(
      x,
      params.indices as number[],
      params.axis as number,
      params.axisSize as number,
    ),
};
