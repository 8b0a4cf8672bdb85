/**
 * Every primitive's shape rule, by name. The op semantics (operand rules,
 * result shape and dtype, error messages) come from `@sublora/tensor`'s
 * `OP_TABLE`, the table the backends use, so a graph node is rejected at
 * trace time with the message the backend would give at run time. What is
 * added here is only the graph IR's own rule: nodes store parameters
 * resolved (non-negative axes, sorted reduction axes), as the op functions
 * write them, because the derivative rules read them as stored.
 *
 * This module imports no rule and no op function, so the builder can use it
 * without an import cycle (builder -> rules -> ops -> builder).
 */
import {
  assertValidShape,
  checkArity,
  checkDType,
  OP_TABLE,
  sameDType,
  shapesEqual,
  shapeToString,
  sizeOf,
  TensorError,
  type BinaryOp,
  type CompareOp,
  type DType,
  type Shape,
  type UnaryOp,
} from '@sublora/tensor';
import { GraphError, type Aval, type Params } from '../ir/types';

/** Checks operands and params of one primitive; returns the result's shape and dtype. */
export type ShapeRule = (operands: readonly Aval[], params: Params) => Aval;

/** Throws unless `value` is an array of integers; returns it. */
function intList(op: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v))) {
    throw new TensorError(op, `${name} must be an array of integers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

/** Throws unless a node stores `axis` as the op table resolved it (graph nodes hold resolved axes). */
function resolvedAxis(op: string, given: unknown, resolved: number): void {
  if (given !== resolved) {
    throw new TensorError(op, `graph nodes store axis ${resolved}, got ${String(given)}`);
  }
}

const unary =
  (op: UnaryOp): ShapeRule =>
  (xs) =>
    OP_TABLE.unary.infer(xs, { op });

const binary =
  (op: BinaryOp): ShapeRule =>
  (xs) =>
    OP_TABLE.binary.infer(xs, { op });

function reduction(op: 'sum' | 'mean'): ShapeRule {
  return (xs, params) => {
    const axes = intList(op, 'axes', params.axes);
    const out = OP_TABLE.reduce.infer(xs, { op, axes, keepDims: params.keepDims === true });
    if (!shapesEqual(out.axes, axes)) {
      throw new TensorError(
        op,
        `graph nodes store sorted distinct axes, got [${axes.join(',')}] for ${shapeToString(xs[0].shape)}`,
      );
    }
    return out;
  };
}

function source(op: string, params: Params): Aval {
  const shape = params.shape as Shape;
  assertValidShape(shape, op);
  return { shape: [...shape], dtype: checkDType(op, params.dtype as DType) };
}

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

/** The shape rule of every primitive. */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = {
  input() {
    throw new TensorError('input', 'input nodes are created by trace(), not by emit');
  },
  constant(_, params) {
    const aval = source('constant', params);
    const data = params.data;
    if (!Array.isArray(data) || data.length !== sizeOf(aval.shape) || !allFinite(data)) {
      throw new TensorError(
        'constant',
        `data must hold ${sizeOf(aval.shape)} finite numbers for shape ${shapeToString(aval.shape)}`,
      );
    }
    return aval;
  },
  fill(_, params) {
    if (typeof params.value !== 'number' || Number.isNaN(params.value)) {
      throw new TensorError('fill', `value must be a number, got ${String(params.value)}`);
    }
    return source('fill', params);
  },
  neg: unary('neg'),
  exp: unary('exp'),
  log: unary('log'),
  tanh: unary('tanh'),
  sin: unary('sin'),
  cos: unary('cos'),
  sqrt: unary('sqrt'),
  square: unary('square'),
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  pow(xs) {
    checkArity('pow', xs, 1);
    return { shape: xs[0].shape, dtype: xs[0].dtype };
  },
  matmul: (xs, params) =>
    OP_TABLE.matmul.infer(xs, {
      transposeA: params.transposeA === true,
      transposeB: params.transposeB === true,
    }),
  transpose: (xs, params) =>
    OP_TABLE.transpose.infer(xs, { perm: intList('transpose', 'perm', params.perm) }),
  reshape: (xs, params) =>
    OP_TABLE.reshape.infer(xs, { shape: intList('reshape', 'shape', params.shape) }),
  broadcast: (xs, params) =>
    OP_TABLE.broadcastTo.infer(xs, { shape: intList('broadcast', 'shape', params.shape) }),
  sum: reduction('sum'),
  mean: reduction('mean'),
  slice: (xs, params) =>
    OP_TABLE.slice.infer(xs, {
      begin: intList('slice', 'begin', params.begin),
      size: intList('slice', 'size', params.size),
    }),
  concat(xs, params) {
    const out = OP_TABLE.concat.infer(xs, { axis: params.axis as number });
    resolvedAxis('concat', params.axis, out.axis);
    return out;
  },
  gather(xs, params) {
    const indices = intList('gather', 'indices', params.indices);
    const out = OP_TABLE.gather.infer(xs, { indices, axis: params.axis as number });
    resolvedAxis('gather', params.axis, out.axis);
    return out;
  },
  scatterAdd(xs, params) {
    const indices = intList('scatterAdd', 'indices', params.indices);
    const out = OP_TABLE.scatterAdd.infer(xs, {
      indices,
      axis: params.axis as number,
      axisSize: params.axisSize as number,
    });
    resolvedAxis('scatterAdd', params.axis, out.axis);
    return out;
  },
  compare: (xs, params) => OP_TABLE.compare.infer(xs, { op: params.op as CompareOp }),
  where: (xs) => OP_TABLE.where.infer(xs, {}),
  cast: (xs, params) => OP_TABLE.cast.infer(xs, { dtype: params.dtype as DType }),
  adjointOf(xs, params) {
    checkArity('adjointOf', xs, 2);
    const dtype = sameDType('adjointOf', xs);
    if (!shapesEqual(xs[0].shape, xs[1].shape)) {
      throw new TensorError(
        'adjointOf',
        `cotangent ${shapeToString(xs[0].shape)} and product ${shapeToString(xs[1].shape)} must have one shape`,
      );
    }
    const c = params.contraction;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1) {
      throw new TensorError('adjointOf', `contraction ${String(c)} must be a positive integer`);
    }
    return { shape: xs[0].shape, dtype };
  },
};

/** The result of primitive `op` on `operands`, or a one-line error (unknown primitive, bad operands). */
export function inferShape(op: string, operands: readonly Aval[], params: Params): Aval {
  const rule = Object.prototype.hasOwnProperty.call(SHAPE_RULES, op) ? SHAPE_RULES[op] : undefined;
  if (!rule)
    throw new GraphError(op, `unknown primitive; known: ${Object.keys(SHAPE_RULES).join(', ')}`);
  return rule(operands, params);
}
