/**
 * Nodes without operands: graph inputs, dense constants and filled constants.
 * Their tangents and cotangents are symbolic zeros (inputs get theirs from the
 * transformation that seeds them).
 */
import { assertValidShape, sizeOf, TensorError, type DType, type Shape } from '@sublora/tensor';
import type { Params } from '../ir/types';
import type { Primitive } from './types';

function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new TensorError(op, `dtype ${String(dtype)} is not float64 or float32`);
  }
  return dtype;
}

function sourceAval(op: string, params: Params): { shape: Shape; dtype: DType } {
  const shape = params.shape as Shape;
  assertValidShape(shape, op);
  return { shape, dtype: checkDType(op, params.dtype) };
}

const noReverse = () => [];

/** A graph argument: `{ index, name }`; evaluation binds it to the caller's tensor. */
export const input: Primitive = {
  name: 'input',
  infer() {
    throw new TensorError('input', 'input nodes are created by trace(), not by emit');
  },
  jvp: () => null,
  vjp: noReverse,
  evaluate() {
    throw new TensorError('input', 'input nodes are bound by evaluate(), not computed');
  },
};

/**
 * Data arrays whose entries were found finite. Transformations pass a node's
 * params through by reference, so every pass that re-emits a w x w weight
 * would otherwise re-check all its entries (about 65% of building a w = 1000
 * Hessian graph). Params are never mutated (see `paramsKey`), so an array
 * checked once stays valid; the length is still checked against each shape.
 */
const finiteData = new WeakSet<readonly number[]>();

function allFinite(data: readonly number[]): boolean {
  if (finiteData.has(data)) return true;
  if (!data.every((v) => Number.isFinite(v))) return false;
  finiteData.add(data);
  return true;
}

/** Dense constant: `{ data: number[], shape, dtype }`, row-major. */
export const constant: Primitive = {
  name: 'constant',
  infer(_, params) {
    const aval = sourceAval('constant', params);
    const data = params.data;
    if (!Array.isArray(data) || data.length !== sizeOf(aval.shape) || !allFinite(data)) {
      throw new TensorError(
        'constant',
        `data must hold ${sizeOf(aval.shape)} finite numbers for shape [${aval.shape.join(',')}]`,
      );
    }
    return aval;
  },
  jvp: () => null,
  vjp: noReverse,
  evaluate: (backend, _, params, out) =>
    backend.fromArray(params.data as number[], out.shape, out.dtype),
};

/** Every entry equal to `value`: `{ value, shape, dtype }` (zeros, ones, scalars). */
export const fill: Primitive = {
  name: 'fill',
  infer(_, params) {
    if (typeof params.value !== 'number' || Number.isNaN(params.value)) {
      throw new TensorError('fill', `value must be a number, got ${String(params.value)}`);
    }
    return sourceAval('fill', params);
  },
  jvp: () => null,
  vjp: noReverse,
  evaluate: (backend, _, params, out) => backend.fill(out.shape, params.value as number, out.dtype),
};
