/**
 * Shape arithmetic shared by every backend: validation, sizes, row-major
 * strides, numpy broadcasting and axis normalization. Failures throw a
 * {@link TensorError} naming the operation.
 */
import type { Shape } from './backend';
import { TensorError } from './errors';

/** Formats a shape as `[3,4]` for error messages. */
export function shapeToString(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless every entry of `shape` is a non-negative integer. */
export function assertValidShape(shape: Shape, op: string): void {
  if (!Array.isArray(shape)) {
    throw new TensorError(
      op,
      `shape must be an array of non-negative integers, got ${String(shape)}`,
    );
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new TensorError(
        op,
        `shape ${shapeToString(shape)} has entry ${String(d)} at axis ${i}; every dimension must be a non-negative integer`,
      );
    }
  }
}

/** Number of elements of a tensor of this shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides, in elements: the last axis has stride 1. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** True when both shapes have the same rank and dimensions. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The numpy broadcast of two shapes: align on the right, and on each axis the
 * dimensions must be equal or one of them 1.
 * @param op - operation named in the error message
 */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new TensorError(
        op,
        `shapes do not broadcast: ${shapeToString(a)} and ${shapeToString(b)} (${da} != ${db} at output axis ${i})`,
      );
    }
  }
  return out;
}

/**
 * Strides to read an input of shape `inShape` as if broadcast to `outShape`
 * (which must be a broadcast of it): one stride per output axis, 0 on the axes
 * where the input is repeated.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const inStrides = stridesOf(inShape);
  const offset = outShape.length - inShape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    strides[i + offset] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  return strides;
}

/** Resolves one possibly negative axis against `rank`. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new TensorError(
      op,
      `axis ${String(axis)} is out of range for rank ${rank}; use -${rank} <= axis < ${rank}`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Resolves axes (negative counts from the end) to sorted, distinct,
 * non-negative axes; `undefined` means all axes.
 */
export function normalizeAxes(
  axes: readonly number[] | undefined,
  rank: number,
  op: string,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const seen = new Set<number>();
  for (const axis of axes) {
    const a = normalizeAxis(axis, rank, op);
    if (seen.has(a)) {
      throw new TensorError(
        op,
        `axis ${a} appears twice in [${axes.join(',')}]; list each axis once`,
      );
    }
    seen.add(a);
  }
  return [...seen].sort((x, y) => x - y);
}

/**
 * Whether `from` broadcasts to `to` numpy-style without changing `to`:
 * aligned right, each axis of `from` equal to `to`'s or 1, and `from` no
 * longer than `to` (what `broadcastTo` accepts).
 */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  const offset = to.length - from.length;
  if (offset < 0) return false;
  for (let i = 0; i < from.length; i++)
    if (from[i] !== 1 && from[i] !== to[i + offset]) return false;
  return true;
}

/**
 * Whether an operand of shape `operand` can feed a fused elementwise kernel
 * (`Backend.elementwise`) with result shape `shape`: {@link broadcastsTo},
 * except that extra leading axes of length 1 are allowed (they carry no data).
 */
export function isFusibleOperand(operand: Shape, shape: Shape): boolean {
  const extra = operand.length - shape.length;
  for (let i = 0; i < extra; i++) if (operand[i] !== 1) return false;
  return broadcastsTo(extra > 0 ? operand.slice(extra) : operand, shape);
}
