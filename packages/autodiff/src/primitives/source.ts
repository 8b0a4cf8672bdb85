/**
 * Nodes without operands: graph inputs, dense constants and filled constants.
 * Their tangents and cotangents are symbolic zeros (inputs get theirs from the
 * transformation that seeds them).
 */
import { TensorError } from '@sublora/tensor';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';

const noReverse = () => [];

/** A graph argument: `{ index, name }`; evaluation binds it to the caller's tensor. */
export const input: Primitive = {
  name: 'input',
  infer: SHAPE_RULES.input,
  jvp: () => null,
  vjp: noReverse,
  evaluate() {
    throw new TensorError('input', 'input nodes are bound by evaluate(), not computed');
  },
};

/** Dense constant: `{ data: number[], shape, dtype }`, row-major. */
export const constant: Primitive = {
  name: 'constant',
  infer: SHAPE_RULES.constant,
  jvp: () => null,
  vjp: noReverse,
  evaluate: (backend, _, params, out) =>
    backend.fromArray(params.data as number[], out.shape, out.dtype),
};

/** Every entry equal to `value`: `{ value, shape, dtype }` (zeros, ones, scalars). */
export const fill: Primitive = {
  name: 'fill',
  infer: SHAPE_RULES.fill,
  jvp: () => null,
  vjp: noReverse,
  evaluate: (backend, _, params, out) => backend.fill(out.shape, params.value as number, out.dtype),
};
