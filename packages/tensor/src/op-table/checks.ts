/** Operand checks shared by the op table's rules: arity, dtypes, integer lists. */
import type { DType } from '../backend';
import { TensorError } from '../errors';
import { shapeToString } from '../shape';
import type { OperandType } from './types';

/** The dtypes every backend names (a backend may compute in fewer; see `Backend.dtypes`). */
export const DTYPES: readonly DType[] = ['float64', 'float32'];

/** `[3,4] float64`, for messages. */
export function describeOperand(x: OperandType): string {
  return `${shapeToString(x.shape)} ${x.dtype}`;
}

/** Throws unless `dtype` is one of {@link DTYPES}. */
export function checkDType(op: string, dtype: DType): DType {
  if (!DTYPES.includes(dtype)) {
    throw new TensorError(op, `unsupported dtype ${String(dtype)}; use 'float64' or 'float32'`);
  }
  return dtype;
}

/** Throws unless there are exactly `n` operands. */
export function checkArity(op: string, xs: readonly OperandType[], n: number): void {
  if (xs.length !== n) throw new TensorError(op, `expects ${n} operand(s), got ${xs.length}`);
}

/** Throws unless all operands share one dtype; returns it. */
export function sameDType(op: string, xs: readonly OperandType[]): DType {
  const d = xs[0].dtype;
  if (xs.some((x) => x.dtype !== d)) {
    throw new TensorError(
      op,
      `dtypes differ: ${xs.map(describeOperand).join(' and ')}; cast one with cast()`,
    );
  }
  return d;
}

/** Throws unless `op` is one of `known` (the op name of a unary/binary/compare/reduce kernel). */
export function checkKnown<T extends string>(kind: string, op: T, known: readonly T[]): T {
  if (!known.includes(op)) {
    throw new TensorError(kind, `unknown op '${String(op)}'; expected one of ${known.join(', ')}`);
  }
  return op;
}

/**
 * Throws unless `indices` is an array of integers in `[0, limit)`.
 * @param context - what the indices address, for the message
 */
export function checkIndices(
  op: string,
  indices: readonly number[],
  limit: number,
  context: string,
): void {
  if (!Array.isArray(indices))
    throw new TensorError(op, `indices must be an array of integers (${context})`);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= limit) {
      throw new TensorError(
        op,
        `index ${String(i)} at position ${k} is outside [0, ${limit}) (${context})`,
      );
    }
  }
}
