/**
 * The tfjs backend's tensor handle: a `tf.Tensor` plus the identity of the
 * backend instance that made it, so a handle from another instance (or another
 * backend) is rejected with a clear message instead of a tfjs stack trace.
 */
import type * as tf from '@tensorflow/tfjs';
import { TensorError, shapeToString, type Shape, type Tensor } from '@sublora/tensor';

/** The name the tfjs backend stamps on its handles. */
export const TFJS = 'tfjs';

/** A tfjs tensor handle. Its dtype is always float32: tfjs computes in float32 only. */
export class TfjsTensor implements Tensor {
  readonly backend = TFJS;
  readonly dtype = 'float32' as const;
  readonly shape: Shape;
  /** @internal the tfjs tensor, `null` once disposed */
  value: tf.Tensor | null;
  /** @internal the backend instance that owns this handle */
  readonly owner: object;
  constructor(value: tf.Tensor, owner: object) {
    this.value = value;
    this.shape = Object.freeze(value.shape.slice());
    this.owner = owner;
  }
}

/**
 * Returns the live tfjs tensor behind `t`, or throws a {@link TensorError}
 * naming `op` when `t` belongs elsewhere or was disposed.
 */
export function liveValue(t: Tensor, owner: object, op: string): tf.Tensor {
  if (!(t instanceof TfjsTensor) || t.owner !== owner) {
    const from =
      t && typeof t === 'object' && 'backend' in t
        ? `backend '${String(t.backend)}'`
        : 'no backend';
    const which = t instanceof TfjsTensor ? 'another tfjs backend instance' : from;
    throw new TensorError(
      op,
      `tensor is owned by ${which}, not this tfjs backend; read it and recreate it with fromArray`,
    );
  }
  if (t.value === null) {
    throw new TensorError(
      op,
      `tensor ${shapeToString(t.shape)} float32 was disposed; keep a handle alive until its last use`,
    );
  }
  return t.value;
}
