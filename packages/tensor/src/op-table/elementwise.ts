/** Elementwise ops: unary, binary, compare, where, cast and the fused `elementwise` program. */
import {
  BINARY_OPS,
  COMPARE_OPS,
  UNARY_OPS,
  type BinaryOp,
  type CompareOp,
  type DType,
  type ElementwiseProgram,
  type Shape,
  type UnaryOp,
} from '../backend';
import { TensorError } from '../errors';
import { assertValidShape, broadcastShapes, isFusibleOperand, shapeToString } from '../shape';
import { checkArity, checkDType, checkKnown, sameDType } from './checks';
import type { OpSpec } from './types';

/** `unary(op, x)`: same shape and dtype. Errors name the op (`exp`, ...). */
export const unarySpec: OpSpec<{ readonly op: UnaryOp }> = {
  name: 'unary',
  operands: `x; op one of ${UNARY_OPS.join(', ')}; result has x's shape and dtype`,
  infer(xs, { op }) {
    checkKnown('unary', op, UNARY_OPS);
    checkArity(op, xs, 1);
    return { shape: [...xs[0].shape], dtype: xs[0].dtype };
  },
};

function broadcastPair<Op extends string>(kind: string, known: readonly Op[]) {
  return (xs: readonly { shape: Shape; dtype: DType }[], { op }: { readonly op: Op }) => {
    checkKnown(kind, op, known);
    checkArity(op, xs, 2);
    const dtype = sameDType(op, xs);
    return { shape: broadcastShapes(xs[0].shape, xs[1].shape, op), dtype };
  };
}

/** `binary(op, a, b)`: one dtype, numpy broadcasting. */
export const binarySpec: OpSpec<{ readonly op: BinaryOp }> = {
  name: 'binary',
  operands: `a, b of one dtype whose shapes broadcast; op one of ${BINARY_OPS.join(', ')}`,
  infer: broadcastPair('binary', BINARY_OPS),
};

/** `compare(op, a, b)`: as binary; the result is 1/0 in the operands' dtype. */
export const compareSpec: OpSpec<{ readonly op: CompareOp }> = {
  name: 'compare',
  operands: `a, b of one dtype whose shapes broadcast; op one of ${COMPARE_OPS.join(', ')}`,
  infer: broadcastPair('compare', COMPARE_OPS),
};

/** `where(cond, a, b)`: a and b of one dtype, all three broadcast; cond may have either dtype. */
export const whereSpec: OpSpec<Record<string, never>> = {
  name: 'where',
  operands: 'cond (any dtype), a, b of one dtype; the three shapes broadcast',
  infer(xs) {
    checkArity('where', xs, 3);
    const [cond, a, b] = xs;
    const dtype = sameDType('where', [a, b]);
    const ab = broadcastShapes(a.shape, b.shape, 'where');
    return { shape: broadcastShapes(cond.shape, ab, 'where'), dtype };
  },
};

/** `cast(x, dtype)`. */
export const castSpec: OpSpec<{ readonly dtype: DType }> = {
  name: 'cast',
  operands: 'x; a known dtype',
  infer(xs, { dtype }) {
    checkArity('cast', xs, 1);
    return { shape: [...xs[0].shape], dtype: checkDType('cast', dtype) };
  },
};

/** `elementwise(program, operands, shape)`: a fused chain of unary/binary steps. */
export const elementwiseSpec: OpSpec<{
  readonly program: ElementwiseProgram;
  readonly shape: Shape;
}> = {
  name: 'elementwise',
  operands:
    'one or more operands of one dtype, each broadcasting to shape; steps read earlier registers',
  infer(xs, { program, shape }) {
    assertValidShape(shape, 'elementwise');
    if (xs.length === 0) throw new TensorError('elementwise', 'needs at least one operand');
    const dtype = sameDType('elementwise', xs);
    for (const t of xs) {
      if (!isFusibleOperand(t.shape, shape)) {
        throw new TensorError(
          'elementwise',
          `operand ${shapeToString(t.shape)} does not broadcast to ${shapeToString(shape)}; each of its axes (aligned right) must equal the result's or be 1`,
        );
      }
    }
    const k = xs.length;
    if (program.steps.length === 0) throw new TensorError('elementwise', 'program has no steps');
    program.steps.forEach((step, i) => {
      const arity = (UNARY_OPS as readonly string[]).includes(step.op)
        ? 1
        : (BINARY_OPS as readonly string[]).includes(step.op)
          ? 2
          : 0;
      if (arity === 0) {
        throw new TensorError(
          'elementwise',
          `step ${i}: unknown op '${String(step.op)}'; expected one of ${[...UNARY_OPS, ...BINARY_OPS].join(', ')}`,
        );
      }
      if (
        step.args.length !== arity ||
        step.args.some((r) => !Number.isInteger(r) || r < 0 || r >= k + i)
      ) {
        throw new TensorError(
          'elementwise',
          `step ${i} (${step.op}) reads registers [${step.args.join(', ')}]; it needs ${arity} of 0..${k + i - 1}`,
        );
      }
    });
    return { shape: [...shape], dtype };
  },
};
