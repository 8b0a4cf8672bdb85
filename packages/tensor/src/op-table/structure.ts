/**
 * Structural ops: reshape, transpose, slice, concat, gather, scatterAdd and
 * broadcastTo. Each rule resolves what the kernel needs (a `-1`, the default
 * permutation, a normalized axis) so backends never re-derive it.
 */
import type { Shape } from '../backend';
import { TensorError } from '../errors';
import { assertValidShape, broadcastsTo, normalizeAxis, shapeToString, sizeOf } from '../shape';
import { checkArity, checkIndices, describeOperand, sameDType } from './checks';
import type { OpSpec, ResultType } from './types';

/** `reshape(x, shape)`: same element count; one entry may be -1 (inferred). */
export const reshapeSpec: OpSpec<{ readonly shape: Shape }> = {
  name: 'reshape',
  operands: 'x; a target shape with the same element count, at most one -1 (inferred)',
  infer(xs, { shape }) {
    checkArity('reshape', xs, 1);
    const x = xs[0];
    const total = sizeOf(x.shape);
    if (!Array.isArray(shape))
      throw new TensorError('reshape', `shape must be an array, got ${String(shape)}`);
    const inferred = shape.indexOf(-1);
    if (inferred !== shape.lastIndexOf(-1)) {
      throw new TensorError(
        'reshape',
        `${describeOperand(x)} to ${shapeToString(shape)}: at most one dimension may be -1`,
      );
    }
    const resolved = shape.slice();
    if (inferred >= 0) {
      const known = sizeOf(shape.filter((_, i) => i !== inferred));
      if (known === 0 || total % known !== 0) {
        throw new TensorError(
          'reshape',
          `cannot infer -1 in ${shapeToString(shape)} for ${describeOperand(x)} (${total} elements)`,
        );
      }
      resolved[inferred] = total / known;
    }
    assertValidShape(resolved, 'reshape');
    if (sizeOf(resolved) !== total) {
      throw new TensorError(
        'reshape',
        `cannot reshape ${describeOperand(x)} (${total} elements) to ${shapeToString(shape)} (${sizeOf(resolved)} elements)`,
      );
    }
    return { shape: resolved, dtype: x.dtype };
  },
};

/** `transpose(x, perm?)`: output axis i is input axis `perm[i]`; default reverses the axes. */
export const transposeSpec: OpSpec<
  { readonly perm?: readonly number[] },
  ResultType & { perm: number[] }
> = {
  name: 'transpose',
  operands: 'x; perm a permutation of its axes (default: reversed)',
  infer(xs, { perm }) {
    checkArity('transpose', xs, 1);
    const x = xs[0];
    const rank = x.shape.length;
    const p = perm ? [...perm] : Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (
      p.length !== rank ||
      new Set(p).size !== rank ||
      p.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)
    ) {
      throw new TensorError(
        'transpose',
        `perm [${p.join(',')}] is not a permutation of the ${rank} axes of ${describeOperand(x)}`,
      );
    }
    return { shape: p.map((a) => x.shape[a]), dtype: x.dtype, perm: p };
  },
};

/** `slice(x, begin, size)`: the box `[begin, begin + size)`; `size[i] = -1` is to the end. */
export const sliceSpec: OpSpec<{
  readonly begin: readonly number[];
  readonly size: readonly number[];
}> = {
  name: 'slice',
  operands: 'x; begin and size with one entry per axis, the box inside x (size -1: to the end)',
  infer(xs, { begin, size }) {
    checkArity('slice', xs, 1);
    const x = xs[0];
    const rank = x.shape.length;
    const context = `begin [${String(begin)}], size [${String(size)}] for ${describeOperand(x)}`;
    if (
      !Array.isArray(begin) ||
      !Array.isArray(size) ||
      begin.length !== rank ||
      size.length !== rank
    ) {
      throw new TensorError(
        'slice',
        `${context}: begin and size need one entry per axis (${rank})`,
      );
    }
    const shape = new Array<number>(rank);
    for (let a = 0; a < rank; a++) {
      const d = x.shape[a],
        b = begin[a];
      const s = size[a] === -1 ? d - b : size[a];
      if (!Number.isInteger(b) || b < 0 || b > d || !Number.isInteger(s) || s < 0 || b + s > d) {
        throw new TensorError(
          'slice',
          `${context}: axis ${a} range [${b}, ${b + s}) is outside [0, ${d}]`,
        );
      }
      shape[a] = s;
    }
    return { shape, dtype: x.dtype };
  },
};

/** `concat(xs, axis)`: one dtype, equal dimensions off `axis`. */
export const concatSpec: OpSpec<{ readonly axis: number }, ResultType & { axis: number }> = {
  name: 'concat',
  operands:
    'one or more tensors of one dtype and rank >= 1, equal off axis (negative counts from the end)',
  infer(xs, { axis }) {
    if (!Array.isArray(xs as unknown) || xs.length === 0) {
      throw new TensorError('concat', 'needs at least one tensor');
    }
    const first = xs[0];
    const rank = first.shape.length;
    if (rank === 0)
      throw new TensorError('concat', 'cannot concatenate scalars; reshape them to [1] first');
    const ax = normalizeAxis(axis, rank, 'concat');
    const dtype = sameDType('concat', xs);
    for (const t of xs) {
      const ok =
        t.shape.length === rank && t.shape.every((d, i) => i === ax || d === first.shape[i]);
      if (!ok) {
        throw new TensorError(
          'concat',
          `shapes differ off axis ${ax}: ${shapeToString(first.shape)} and ${shapeToString(t.shape)}`,
        );
      }
    }
    const shape = first.shape.slice();
    shape[ax] = xs.reduce((s, t) => s + t.shape[ax], 0);
    return { shape, dtype, axis: ax };
  },
};

/** `gather(x, indices, axis)`: slices `indices` (integers in range, repeats allowed) of `axis`. */
export const gatherSpec: OpSpec<
  { readonly indices: readonly number[]; readonly axis: number },
  ResultType & { axis: number }
> = {
  name: 'gather',
  operands: 'x of rank >= 1; indices integers in [0, x.shape[axis])',
  infer(xs, { indices, axis }) {
    checkArity('gather', xs, 1);
    const x = xs[0];
    if (x.shape.length === 0) throw new TensorError('gather', 'cannot gather from a scalar');
    const ax = normalizeAxis(axis, x.shape.length, 'gather');
    checkIndices('gather', indices, x.shape[ax], `axis ${ax} of ${describeOperand(x)}`);
    const shape = x.shape.slice();
    shape[ax] = indices.length;
    return { shape, dtype: x.dtype, axis: ax };
  },
};

/** `scatterAdd(updates, indices, axis, axisSize)`: the transpose of gather. */
export const scatterAddSpec: OpSpec<
  { readonly indices: readonly number[]; readonly axis: number; readonly axisSize: number },
  ResultType & { axis: number }
> = {
  name: 'scatterAdd',
  operands:
    'updates of rank >= 1; one index per slice along axis, each an integer in [0, axisSize)',
  infer(xs, { indices, axis, axisSize }) {
    checkArity('scatterAdd', xs, 1);
    const t = xs[0];
    if (t.shape.length === 0) throw new TensorError('scatterAdd', 'updates cannot be a scalar');
    const ax = normalizeAxis(axis, t.shape.length, 'scatterAdd');
    if (!Number.isInteger(axisSize) || axisSize < 0) {
      throw new TensorError(
        'scatterAdd',
        `axisSize ${String(axisSize)} is not a non-negative integer`,
      );
    }
    if (!Array.isArray(indices) || indices.length !== t.shape[ax]) {
      throw new TensorError(
        'scatterAdd',
        `updates ${describeOperand(t)} has ${t.shape[ax]} slices on axis ${ax} but ${Array.isArray(indices) ? indices.length : 'no'} indices were given`,
      );
    }
    checkIndices('scatterAdd', indices, axisSize, `axisSize ${axisSize}`);
    const shape = t.shape.slice();
    shape[ax] = axisSize;
    return { shape, dtype: t.dtype, axis: ax };
  },
};

/** `broadcastTo(x, shape)`: numpy broadcasting that yields exactly `shape`. */
export const broadcastToSpec: OpSpec<{ readonly shape: Shape }> = {
  name: 'broadcastTo',
  operands: 'x whose axes (aligned right) equal those of shape or are 1',
  infer(xs, { shape }) {
    checkArity('broadcastTo', xs, 1);
    const x = xs[0];
    assertValidShape(shape, 'broadcastTo');
    if (!broadcastsTo(x.shape, shape)) {
      throw new TensorError(
        'broadcastTo',
        `cannot broadcast ${describeOperand(x)} to ${shapeToString(shape)}`,
      );
    }
    return { shape: [...shape], dtype: x.dtype };
  },
};
