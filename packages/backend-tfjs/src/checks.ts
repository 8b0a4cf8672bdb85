/**
 * Shape checks the tfjs kernels run before calling tfjs, so that bad input is a
 * one-line {@link TensorError} naming the operation and the shapes (tfjs's own
 * messages are multi-line and name its internal op names). Each returns the
 * output shape. Broadcasting and axis rules are the shared ones from
 * `@sublora/tensor`.
 */
import {
  TensorError,
  assertValidShape,
  broadcastShapes,
  normalizeAxis,
  shapeToString,
  shapesEqual,
  sizeOf,
  type MatmulOptions,
  type Shape,
} from '@sublora/tensor';

/** Checks `data.length` against `shape` for `fromArray`. */
export function checkFromArray(length: number, shape: Shape): void {
  assertValidShape(shape, 'fromArray');
  if (length !== sizeOf(shape)) {
    throw new TensorError(
      'fromArray',
      `data has ${length} values but shape ${shapeToString(shape)} needs ${sizeOf(shape)}`,
    );
  }
}

/** Output shape of `matmul`, with the batch dimensions broadcast. */
export function matmulShape(a: Shape, b: Shape, options: MatmulOptions = {}): number[] {
  if (a.length < 2 || b.length < 2) {
    throw new TensorError(
      'matmul',
      `needs rank >= 2 on both sides, got ${shapeToString(a)} x ${shapeToString(b)}; reshape vectors to [1,n] or [n,1]`,
    );
  }
  const [m, ka] = options.transposeA ? [a[a.length - 1], a[a.length - 2]] : a.slice(-2);
  const [kb, n] = options.transposeB ? [b[b.length - 1], b[b.length - 2]] : b.slice(-2);
  if (ka !== kb) {
    throw new TensorError(
      'matmul',
      `inner dimensions differ: ${shapeToString(a)} x ${shapeToString(b)} (${ka} != ${kb})`,
    );
  }
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), 'matmul');
  return [...batch, m, n];
}

/** Resolves one `-1` entry of `shape` and checks it holds as many elements as `from`. */
export function reshapeShape(from: Shape, shape: Shape): number[] {
  const inferred = shape.indexOf(-1);
  if (inferred !== shape.lastIndexOf(-1)) {
    throw new TensorError('reshape', `${shapeToString(shape)}: at most one dimension may be -1`);
  }
  const resolved = shape.slice();
  if (inferred >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== inferred));
    if (known === 0 || sizeOf(from) % known !== 0) {
      throw new TensorError(
        'reshape',
        `cannot infer -1 in ${shapeToString(shape)} for ${shapeToString(from)} (${sizeOf(from)} elements)`,
      );
    }
    resolved[inferred] = sizeOf(from) / known;
  }
  assertValidShape(resolved, 'reshape');
  if (sizeOf(resolved) !== sizeOf(from)) {
    throw new TensorError(
      'reshape',
      `cannot reshape ${shapeToString(from)} (${sizeOf(from)} elements) to ${shapeToString(shape)} (${sizeOf(resolved)} elements)`,
    );
  }
  return resolved;
}

/** The permutation of `transpose` (default: reverse the axes), checked. */
export function transposePerm(shape: Shape, perm?: readonly number[]): number[] {
  const rank = shape.length;
  if (perm === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const seen = new Set(perm);
  const valid =
    perm.length === rank &&
    seen.size === rank &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank);
  if (!valid) {
    throw new TensorError(
      'transpose',
      `perm [${perm.join(',')}] is not a permutation of 0..${rank - 1} for shape ${shapeToString(shape)}`,
    );
  }
  return perm.slice();
}

/** Resolves `size[i] = -1` and checks the window lies inside `shape`. */
export function sliceSize(
  shape: Shape,
  begin: readonly number[],
  size: readonly number[],
): number[] {
  if (begin.length !== shape.length || size.length !== shape.length) {
    throw new TensorError(
      'slice',
      `begin [${begin.join(',')}] and size [${size.join(',')}] need one entry per axis of ${shapeToString(shape)}`,
    );
  }
  return shape.map((dim, i) => {
    const b = begin[i];
    const s = size[i] === -1 ? dim - b : size[i];
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > dim) {
      throw new TensorError(
        'slice',
        `window begin ${b} size ${size[i]} on axis ${i} is outside ${shapeToString(shape)}`,
      );
    }
    return s;
  });
}

/** Normalized axis of `concat`, after checking every other dimension agrees. */
export function concatAxis(shapes: readonly Shape[], axis: number): number {
  if (shapes.length === 0) throw new TensorError('concat', 'needs at least one tensor');
  const first = shapes[0];
  const ax = normalizeAxis(axis, first.length, 'concat');
  for (const s of shapes) {
    const other = (x: Shape) => x.filter((_, i) => i !== ax);
    if (s.length !== first.length || !shapesEqual(other(s), other(first))) {
      throw new TensorError(
        'concat',
        `shapes ${shapeToString(first)} and ${shapeToString(s)} differ off axis ${ax}`,
      );
    }
  }
  return ax;
}

/** Checks integer indices in `[0, size)`. */
export function checkIndices(op: string, indices: readonly number[], size: number): void {
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= size) {
      throw new TensorError(op, `index ${String(i)} at position ${k} is outside [0, ${size})`);
    }
  }
}

/** Checks that `from` broadcasts to exactly `shape` (numpy rules, right-aligned). */
export function checkBroadcastTo(from: Shape, shape: Shape): void {
  assertValidShape(shape, 'broadcastTo');
  const offset = shape.length - from.length;
  if (offset < 0 || from.some((d, i) => d !== 1 && d !== shape[i + offset])) {
    throw new TensorError(
      'broadcastTo',
      `cannot broadcast ${shapeToString(from)} to ${shapeToString(shape)}`,
    );
  }
}
