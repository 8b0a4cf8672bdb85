/**
 * The op functions: plain functions on traced {@link Value}s that append one
 * primitive node each. A JS number is accepted where the other operand is a
 * Value and becomes a scalar `fill` of that operand's dtype.
 */
import {
  OP_TABLE,
  shapesEqual,
  sizeOf,
  type CompareOp,
  type DType,
  type Shape,
} from '@sublora/tensor';
import { currentBuilder, Value } from './ir/builder';
import { GraphError } from './ir/types';

/** A traced value or a plain number (a scalar constant). */
export type Operand = Value | number;

function builderOf(op: string, xs: readonly Operand[]): Value {
  const v = xs.find((x): x is Value => x instanceof Value);
  if (!v) throw new GraphError(op, 'needs at least one traced Value operand (not only numbers)');
  return v;
}

/** A scalar (or `shape`-shaped) constant filled with `value`, in `ref`'s trace and dtype. */
export function full(
  ref: Value,
  value: number,
  shape: Shape = [],
  dtype: DType = ref.dtype,
): Value {
  return ref.builder.emit('fill', [], { value, shape: [...shape], dtype });
}

function lift(x: Operand, ref: Value): Value {
  return typeof x === 'number' ? full(ref, x) : x;
}

function binaryOp(op: string, a: Operand, b: Operand): Value {
  const ref = builderOf(op, [a, b]);
  return ref.builder.emit(op, [lift(a, ref), lift(b, ref)]);
}

/** `a + b` elementwise, numpy broadcasting. */
export const add = (a: Operand, b: Operand): Value => binaryOp('add', a, b);
/** `a - b` elementwise, numpy broadcasting. */
export const sub = (a: Operand, b: Operand): Value => binaryOp('sub', a, b);
/** `a * b` elementwise, numpy broadcasting. */
export const mul = (a: Operand, b: Operand): Value => binaryOp('mul', a, b);
/** `a / b` elementwise, numpy broadcasting. */
export const div = (a: Operand, b: Operand): Value => binaryOp('div', a, b);

/** `-x`. */
export const neg = (x: Value): Value => x.builder.emit('neg', [x]);
/** `e^x`. */
export const exp = (x: Value): Value => x.builder.emit('exp', [x]);
/** Natural logarithm. */
export const log = (x: Value): Value => x.builder.emit('log', [x]);
/** Hyperbolic tangent. */
export const tanh = (x: Value): Value => x.builder.emit('tanh', [x]);
/** Sine. */
export const sin = (x: Value): Value => x.builder.emit('sin', [x]);
/** Cosine. */
export const cos = (x: Value): Value => x.builder.emit('cos', [x]);
/** Square root. */
export const sqrt = (x: Value): Value => x.builder.emit('sqrt', [x]);
/** `x * x`. */
export const square = (x: Value): Value => x.builder.emit('square', [x]);

/** `x ** exponent` with a constant exponent. */
export function pow(x: Value, exponent: number): Value {
  if (!Number.isFinite(exponent))
    throw new GraphError('pow', `exponent ${exponent} must be a finite number`);
  return x.builder.emit('pow', [x], { exponent });
}

/** Options of {@link matmul}. */
export interface MatmulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/** `[..., m, k] x [..., k, n] -> [..., m, n]`; batch dims broadcast; optional transposes of the last two axes. */
export function matmul(a: Value, b: Value, options: MatmulOptions = {}): Value {
  return a.builder.emit('matmul', [a, b], {
    transposeA: options.transposeA ?? false,
    transposeB: options.transposeB ?? false,
  });
}

/** Permutes axes (output axis i is input axis `perm[i]`); default reverses them. */
export function transpose(x: Value, perm?: readonly number[]): Value {
  const rank = x.shape.length;
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (p.every((a, i) => a === i) && p.length === rank) return x;
  return x.builder.emit('transpose', [x], { perm: [...p] });
}

/** Same data in a new shape; one entry may be -1 (inferred, by `OP_TABLE.reshape`). */
export function reshape(x: Value, shape: Shape): Value {
  const resolved = OP_TABLE.reshape.infer([x], { shape }).shape;
  if (shapesEqual(resolved, x.shape)) return x;
  return x.builder.emit('reshape', [x], { shape: resolved });
}

/** Broadcasts `x` to `shape` (numpy rules). */
export function broadcastTo(x: Value, shape: Shape): Value {
  if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
  return x.builder.emit('broadcast', [x], { shape: [...shape] });
}

function normAxes(op: string, x: Value, axes: number | readonly number[] | undefined): number[] {
  const rank = x.shape.length;
  const list =
    axes === undefined
      ? Array.from({ length: rank }, (_, i) => i)
      : typeof axes === 'number'
        ? [axes]
        : axes;
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new GraphError(
        op,
        `axis ${a} is out of range for shape [${x.shape.join(',')}]; use -${rank} <= axis < ${rank}`,
      );
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((p, q) => p - q);
}

/** Sum over `axes` (default all; negative axes count from the end). */
export function sum(x: Value, axes?: number | readonly number[], keepDims = false): Value {
  const ax = normAxes('sum', x, axes);
  if (ax.length === 0) return x;
  return x.builder.emit('sum', [x], { axes: ax, keepDims });
}

/** Mean over `axes` (default all; negative axes count from the end). */
export function mean(x: Value, axes?: number | readonly number[], keepDims = false): Value {
  const ax = normAxes('mean', x, axes);
  if (ax.length === 0) return x;
  return x.builder.emit('mean', [x], { axes: ax, keepDims });
}

/** The block starting at `begin` of extent `size` (`-1` = to the end; checked by `OP_TABLE.slice`). */
export function slice(x: Value, begin: readonly number[], size: readonly number[]): Value {
  const sz = OP_TABLE.slice.infer([x], { begin, size }).shape;
  if (sz.every((s, i) => s === x.shape[i]) && begin.every((b) => b === 0)) return x;
  return x.builder.emit('slice', [x], { begin: [...begin], size: sz });
}

/** Joins values along `axis` (other dims must agree). */
export function concat(xs: readonly Value[], axis: number): Value {
  if (xs.length === 0) throw new GraphError('concat', 'needs at least one value');
  if (xs.length === 1) return xs[0];
  const rank = xs[0].shape.length;
  const ax = normAxes('concat', xs[0], axis)[0];
  if (rank === 0)
    throw new GraphError('concat', 'cannot concatenate scalars; reshape them to [1] first');
  return xs[0].builder.emit('concat', xs, { axis: ax });
}

/** Selects `indices` along `axis`. */
export function gather(x: Value, indices: readonly number[], axis: number): Value {
  const ax = normAxes('gather', x, axis)[0];
  return x.builder.emit('gather', [x], { indices: [...indices], axis: ax });
}

/** Transpose of {@link gather}: an `axisSize`-long axis accumulating slice k of `x` at `indices[k]`. */
export function scatterAdd(
  x: Value,
  indices: readonly number[],
  axis: number,
  axisSize: number,
): Value {
  const ax = normAxes('scatterAdd', x, axis)[0];
  return x.builder.emit('scatterAdd', [x], { indices: [...indices], axis: ax, axisSize });
}

function compareOp(op: CompareOp, a: Operand, b: Operand): Value {
  const ref = builderOf(op, [a, b]);
  return ref.builder.emit('compare', [lift(a, ref), lift(b, ref)], { op });
}
/** 1 where `a < b`, else 0 (zero derivative). */
export const less = (a: Operand, b: Operand): Value => compareOp('less', a, b);
/** 1 where `a <= b`, else 0 (zero derivative). */
export const lessEqual = (a: Operand, b: Operand): Value => compareOp('lessEqual', a, b);
/** 1 where `a > b`, else 0 (zero derivative). */
export const greater = (a: Operand, b: Operand): Value => compareOp('greater', a, b);
/** 1 where `a >= b`, else 0 (zero derivative). */
export const greaterEqual = (a: Operand, b: Operand): Value => compareOp('greaterEqual', a, b);
/** 1 where `a == b`, else 0 (zero derivative). */
export const equal = (a: Operand, b: Operand): Value => compareOp('equal', a, b);

/** `cond ? a : b` elementwise (cond nonzero = true), broadcasting. */
export function where(cond: Value, a: Operand, b: Operand): Value {
  return cond.builder.emit('where', [cond, lift(a, cond), lift(b, cond)]);
}

/** Converts to `dtype`. */
export function cast(x: Value, dtype: DType): Value {
  if (x.dtype === dtype) return x;
  return x.builder.emit('cast', [x], { dtype });
}

/**
 * A constant in the current trace: a number (scalar, or filled to `shape`) or
 * row-major data of `shape` (default `[data.length]`).
 */
export function constant(
  data: ArrayLike<number> | number,
  shape?: Shape,
  dtype: DType = 'float64',
): Value {
  const b = currentBuilder('constant');
  if (typeof data === 'number')
    return b.emit('fill', [], { value: data, shape: [...(shape ?? [])], dtype });
  const s = shape ?? [data.length];
  if (sizeOf(s) !== data.length) {
    throw new GraphError(
      'constant',
      `data has ${data.length} values but shape [${s.join(',')}] needs ${sizeOf(s)}`,
    );
  }
  // one loop checks and copies (Array.from of a 1M-entry Float64Array took 2-3x as long)
  const copy = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v))
      throw new GraphError('constant', `entry ${i} is ${v}; constants must be finite`);
    copy[i] = v;
  }
  return b.emit('constant', [], { data: copy, shape: [...s], dtype });
}
