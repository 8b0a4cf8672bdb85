/**
 * The reference backend's tensor handle and the checks every kernel runs on
 * its inputs (right backend, not disposed, same dtype).
 */
import type { DType, HostArray, Shape, Tensor } from '../backend';
import { TensorError } from '../errors';
import { shapeToString } from '../shape';

/** The name the reference backend stamps on its handles. */
export const REFERENCE = 'reference';

/**
 * Marks reference handles. `Symbol.for` (not `instanceof`) so handles stay
 * valid when two copies of this package are loaded (e.g. sources under jest
 * next to a built `dist`).
 */
const BRAND = Symbol.for('@sublora/tensor:ReferenceTensor');

/** True for a handle made by any loaded copy of the reference backend. */
export function isReferenceTensor(t: unknown): t is ReferenceTensor {
  return typeof t === 'object' && t !== null && (t as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * A reference tensor: row-major data in a `Float64Array` or `Float32Array`.
 * Kernels never write into an existing handle's data, so handles may share a
 * buffer (reshape and same-dtype cast do).
 */
export class ReferenceTensor implements Tensor {
  readonly backend = REFERENCE;
  /** @internal */ readonly [BRAND] = true;
  readonly shape: Shape;
  readonly dtype: DType;
  /** @internal */ data: HostArray;
  /** @internal */ disposed = false;
  constructor(data: HostArray, shape: Shape, dtype: DType) {
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
  }
}

/** Allocates zeroed data of the given dtype. */
export function allocate(dtype: DType, size: number): HostArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** Wraps fresh data in a handle. */
export function makeTensor(data: HostArray, shape: Shape, dtype: DType): ReferenceTensor {
  return new ReferenceTensor(data, shape, dtype);
}

/** Throws unless `dtype` is one the reference backend computes in. */
export function assertDType(dtype: DType, op: string): void {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new TensorError(op, `unsupported dtype ${String(dtype)}; use 'float64' or 'float32'`);
  }
}

/** Describes a handle for error messages, e.g. `[3,4] float64`. */
export function describe(t: Tensor): string {
  return `${shapeToString(t.shape)} ${t.dtype}`;
}

/**
 * Checks that `t` is a live handle of this backend and returns it typed.
 * @param op - operation named in the error message
 */
export function live(t: Tensor, op: string): ReferenceTensor {
  if (!isReferenceTensor(t)) {
    const owner =
      t && typeof t === 'object' && 'backend' in t
        ? `backend '${String(t.backend)}'`
        : 'no backend';
    throw new TensorError(
      op,
      `tensor is owned by ${owner}, not 'reference'; read it and recreate it with referenceBackend.fromArray`,
    );
  }
  if (t.disposed) {
    throw new TensorError(
      op,
      `tensor ${describe(t)} was disposed; keep a handle alive until its last use`,
    );
  }
  return t;
}

/** The data of a live reference tensor (shared, do not write). */
export function tensorData(t: Tensor, op = 'read'): HostArray {
  return live(t, op).data;
}

/** Throws unless `a` and `b` have the same dtype (no silent casts). */
export function assertSameDType(a: Tensor, b: Tensor, op: string): void {
  if (a.dtype !== b.dtype) {
    throw new TensorError(
      op,
      `dtypes differ: ${describe(a)} and ${describe(b)}; cast one with cast()`,
    );
  }
}
