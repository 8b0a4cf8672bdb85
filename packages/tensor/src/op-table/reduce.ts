/** `reduce`: sum, mean or max over axes. */
import type { ReduceOp } from '../backend';
import { normalizeAxes } from '../shape';
import { checkArity, checkKnown } from './checks';
import type { OpSpec, ResultType } from './types';

/** Every reduction, in a fixed order. */
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max'];

/** Parameters of `reduce`. */
export interface ReduceParams {
  readonly op: ReduceOp;
  /** Undefined: all axes. Negative axes count from the end. */
  readonly axes?: readonly number[];
  readonly keepDims?: boolean;
}

/** `reduce(op, x, axes?, keepDims?)`; errors name the op (`sum`, ...). */
export const reduceSpec: OpSpec<ReduceParams, ResultType & { axes: number[] }> = {
  name: 'reduce',
  operands: `x; op one of ${REDUCE_OPS.join(', ')}; distinct axes in range (default all)`,
  infer(xs, { op, axes, keepDims = false }) {
    checkKnown('reduce', op, REDUCE_OPS);
    checkArity(op, xs, 1);
    const x = xs[0];
    const ax = normalizeAxes(axes, x.shape.length, op);
    const reduced = new Set(ax);
    const shape = keepDims
      ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d))
      : x.shape.filter((_, i) => !reduced.has(i));
    return { shape, dtype: x.dtype, axes: ax };
  },
};
