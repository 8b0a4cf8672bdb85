/** Creation ops: `fromArray`, `fill`, `zeros` (no operands; the shape and dtype are parameters). */
import type { DType, Shape } from '../backend';
import { TensorError } from '../errors';
import { assertValidShape, shapeToString, sizeOf } from '../shape';
import { checkDType } from './checks';
import type { OpSpec } from './types';

/** Parameters of `zeros`. */
export interface CreationParams {
  readonly shape: Shape;
  readonly dtype: DType;
}

function creation(op: string, params: CreationParams) {
  assertValidShape(params.shape, op);
  return { shape: [...params.shape], dtype: checkDType(op, params.dtype) };
}

/** `fromArray(data, shape, dtype)`: `data.length` values for `shape`. */
export const fromArraySpec: OpSpec<CreationParams & { readonly data: ArrayLike<number> }> = {
  name: 'fromArray',
  operands: 'no operands; data (array or typed array) with one value per element of shape',
  infer(_, params) {
    const out = creation('fromArray', params);
    const data = params.data;
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
      throw new TensorError(
        'fromArray',
        `data must be an array or typed array of numbers, got ${String(data)}`,
      );
    }
    const size = sizeOf(out.shape);
    if (data.length !== size) {
      throw new TensorError(
        'fromArray',
        `data has ${data.length} values but shape ${shapeToString(out.shape)} needs ${size}`,
      );
    }
    return out;
  },
};

/** `fill(shape, value, dtype)`. */
export const fillSpec: OpSpec<CreationParams & { readonly value: number }> = {
  name: 'fill',
  operands: 'no operands; a valid shape, a number value, a known dtype',
  infer(_, params) {
    const out = creation('fill', params);
    if (typeof params.value !== 'number')
      throw new TensorError('fill', `value must be a number, got ${String(params.value)}`);
    return out;
  },
};

/** `zeros(shape, dtype)`. */
export const zerosSpec: OpSpec<CreationParams> = {
  name: 'zeros',
  operands: 'no operands; a valid shape and a known dtype',
  infer: (_, params) => creation('zeros', params),
};
