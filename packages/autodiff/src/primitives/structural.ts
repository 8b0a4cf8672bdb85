/**
 * Linear structural primitives: transpose, reshape, broadcast, slice, concat,
 * gather and scatterAdd. Their jvp applies the same primitive to the tangent;
 * their transpose rule is the adjoint index map.
 */
import { broadcastShapes, shapesEqual, shapeToString, sizeOf, TensorError } from '@sublora/tensor';
import type { Value } from '../ir/builder';
import type { Aval } from '../ir/types';
import * as ops from '../ops';
import type { Primitive } from './types';
import { arity, checkInts, unbroadcast } from './util';

function sameOpJvp(name: string): Primitive['jvp'] {
  return ({ primals, tangents, params, out, T }) =>
    T.apply(name, tangents[0], params, primals[0], out);
}

/** Permutes axes (`{ perm }`); transpose: the inverse permutation. */
export const transpose: Primitive = {
  name: 'transpose',
  infer(xs, params) {
    arity('transpose', xs, 1);
    const x = xs[0];
    const perm = checkInts('transpose', 'perm', params.perm, 0, x.shape.length);
    if (perm.length !== x.shape.length || new Set(perm).size !== perm.length) {
      throw new TensorError(
        'transpose',
        `perm [${perm.join(',')}] is not a permutation of the axes of ${shapeToString(x.shape)}`,
      );
    }
    return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype };
  },
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
  infer(xs, params) {
    arity('reshape', xs, 1);
    const shape = checkInts('reshape', 'shape', params.shape, 0, Infinity);
    if (sizeOf(shape) !== sizeOf(xs[0].shape)) {
      throw new TensorError(
        'reshape',
        `cannot reshape ${shapeToString(xs[0].shape)} (${sizeOf(xs[0].shape)} elements) to ${shapeToString(shape)}`,
      );
    }
    return { shape, dtype: xs[0].dtype };
  },
  jvp: sameOpJvp('reshape'),
  transpose: ({ ct, primals: [x] }) => [ops.reshape(ct, x.shape)],
  evaluate: (backend, [x], params) => backend.reshape(x, params.shape as number[]),
};

/** numpy broadcastTo (`{ shape }`); transpose: sum over the broadcast axes. */
export const broadcast: Primitive = {
  name: 'broadcast',
  infer(xs, params) {
    arity('broadcast', xs, 1);
    const shape = checkInts('broadcast', 'shape', params.shape, 0, Infinity);
    const b = broadcastShapes(xs[0].shape, shape, 'broadcast');
    if (!shapesEqual(b, shape)) {
      throw new TensorError(
        'broadcast',
        `cannot broadcast ${shapeToString(xs[0].shape)} to ${shapeToString(shape)}`,
      );
    }
    return { shape, dtype: xs[0].dtype };
  },
  jvp: sameOpJvp('broadcast'),
  transpose: ({ ct, primals: [x] }) => [unbroadcast(ct, x.shape)],
  evaluate: (backend, [x], params) => backend.broadcastTo(x, params.shape as number[]),
};

/** `{ begin, size }` block; transpose: zero padding (concatenation with zeros). */
export const slice: Primitive = {
  name: 'slice',
  infer(xs, params) {
    arity('slice', xs, 1);
    const x = xs[0];
    const begin = params.begin as number[],
      size = params.size as number[];
    const ok =
      Array.isArray(begin) &&
      Array.isArray(size) &&
      begin.length === x.shape.length &&
      size.length === x.shape.length &&
      begin.every(
        (b, i) =>
          Number.isInteger(b) &&
          Number.isInteger(size[i]) &&
          b >= 0 &&
          size[i] >= 0 &&
          b + size[i] <= x.shape[i],
      );
    if (!ok) {
      throw new TensorError(
        'slice',
        `begin [${String(begin)}] size [${String(size)}] is out of bounds for ${shapeToString(x.shape)}`,
      );
    }
    return { shape: size, dtype: x.dtype };
  },
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
  infer(xs, params) {
    if (xs.length === 0) throw new TensorError('concat', 'needs at least one operand');
    const axis = params.axis as number;
    const r = xs[0].shape.length;
    if (!Number.isInteger(axis) || axis < 0 || axis >= r) {
      throw new TensorError('concat', `axis ${String(axis)} is out of range for rank ${r}`);
    }
    let total = 0;
    for (const x of xs) {
      if (
        x.dtype !== xs[0].dtype ||
        x.shape.length !== r ||
        x.shape.some((d, i) => i !== axis && d !== xs[0].shape[i])
      ) {
        throw new TensorError(
          'concat',
          `operands disagree off axis ${axis}: ${xs.map((v) => `${v.dtype}${shapeToString(v.shape)}`).join(', ')}`,
        );
      }
      total += x.shape[axis];
    }
    return { shape: xs[0].shape.map((d, i) => (i === axis ? total : d)), dtype: xs[0].dtype };
  },
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

function indexedInfer(
  op: string,
  xs: readonly Aval[],
  axis: unknown,
  indices: unknown,
  bound: number,
  outLen: number,
): Aval {
  const x = xs[0];
  if (!Number.isInteger(axis) || (axis as number) < 0 || (axis as number) >= x.shape.length) {
    throw new TensorError(op, `axis ${String(axis)} is out of range for ${shapeToString(x.shape)}`);
  }
  checkInts(op, 'indices', indices, 0, bound);
  return { shape: x.shape.map((d, i) => (i === axis ? outLen : d)), dtype: x.dtype };
}

/** Selects `{ indices }` along `{ axis }`; transpose: scatterAdd. */
export const gather: Primitive = {
  name: 'gather',
  infer(xs, params) {
    arity('gather', xs, 1);
    const axis = params.axis as number;
    const bound = xs[0].shape[axis] ?? 0;
    return indexedInfer(
      'gather',
      xs,
      axis,
      params.indices,
      bound,
      (params.indices as number[])?.length ?? 0,
    );
  },
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
  infer(xs, params) {
    arity('scatterAdd', xs, 1);
    const axis = params.axis as number;
    const indices = params.indices as number[];
    if (!Array.isArray(indices) || indices.length !== xs[0].shape[axis]) {
      throw new TensorError(
        'scatterAdd',
        `needs one index per slice along axis ${String(axis)} of ${shapeToString(xs[0].shape)}`,
      );
    }
    const size = params.axisSize as number;
    if (!Number.isInteger(size) || size < 0)
      throw new TensorError(
        'scatterAdd',
        `axisSize ${String(size)} must be a non-negative integer`,
      );
    return indexedInfer('scatterAdd', xs, axis, indices, size, size);
  },
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
