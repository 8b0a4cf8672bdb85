/**
 * Shape rules this backend needs beyond those `@sublora/tensor` exports,
 * checked on the host when a kernel is recorded, so a mismatch fails at the
 * call that caused it, not later inside onnxruntime.
 */
import { TensorError, broadcastShapes, shapeToString, sizeOf, type Shape } from '@sublora/tensor';

/** Shape of `matmul(a, b)` after the optional transposes: `[..., m, k] x [..., k, n] -> [..., m, n]`. */
export function matmulShape(a: Shape, b: Shape): number[] {
  if (a.length < 2 || b.length < 2) {
    throw new TensorError(
      'matmul',
      `both operands need rank >= 2, got ${shapeToString(a)} x ${shapeToString(b)}; reshape a vector to [1,k] or [k,1]`,
    );
  }
  const [m, ka] = a.slice(-2);
  const [kb, n] = b.slice(-2);
  if (ka !== kb)
    throw new TensorError(
      'matmul',
      `inner dimensions differ: ${shapeToString(a)} x ${shapeToString(b)} (${ka} != ${kb})`,
    );
  return [...broadcastShapes(a.slice(0, -2), b.slice(0, -2), 'matmul'), m, n];
}

/** Resolves one `-1` in a reshape target and checks the element count. */
export function resolveReshape(from: Shape, to: Shape): number[] {
  if (
    !Array.isArray(to) ||
    to.filter((d) => d === -1).length > 1 ||
    to.some((d) => !Number.isInteger(d) || d < -1)
  ) {
    throw new TensorError(
      'reshape',
      `target ${JSON.stringify(to)} must be non-negative integers with at most one -1`,
    );
  }
  const known = sizeOf(to.filter((d) => d !== -1));
  const total = sizeOf(from);
  const out = to.map((d) => (d === -1 ? (known === 0 ? -1 : total / known) : d));
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== total) {
    throw new TensorError(
      'reshape',
      `cannot reshape ${shapeToString(from)} (${total} elements) to ${shapeToString(to)}`,
    );
  }
  return out;
}

/** Checks a permutation of the axes; the default reverses them. */
export function resolvePerm(shape: Shape, perm?: readonly number[]): number[] {
  const rank = shape.length;
  const p = perm ? [...perm] : shape.map((_, i) => rank - 1 - i);
  if (
    p.length !== rank ||
    new Set(p).size !== rank ||
    p.some((i) => !Number.isInteger(i) || i < 0 || i >= rank)
  ) {
    throw new TensorError(
      'transpose',
      `perm ${JSON.stringify(perm)} is not a permutation of the ${rank} axes of ${shapeToString(shape)}`,
    );
  }
  return p;
}
