/**
 * The reference backend's tensor handle and the checks every kernel runs on
 * its inputs (right backend, not disposed, same dtype).
 */
import type { DType, HostArray, Shape, Tensor } from '../backend';
import { TensorError } from '../errors';
import { describeOperand } from '../op-table/checks';

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

/** A data buffer and how many live handles use it (reshape and same-dtype cast share buffers). */
interface Storage {
  readonly data: HostArray;
  handles: number;
}

/**
 * A reference tensor: row-major data in a `Float64Array` or `Float32Array`.
 * Kernels never write into an existing handle's data, so handles may share a
 * buffer (reshape and same-dtype cast do); the buffer is recycled (see
 * {@link allocate}) once every handle sharing it is disposed.
 */
export class ReferenceTensor implements Tensor {
  readonly backend = REFERENCE;
  /** @internal */ readonly [BRAND] = true;
  readonly shape: Shape;
  readonly dtype: DType;
  /** @internal */ data: HostArray;
  /** @internal */ disposed = false;
  /** @internal */ readonly storage: Storage;
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this.storage = storage;
    this.data = storage.data;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
  }
}

/**
 * Buffers of disposed tensors, by dtype and length, for reuse. Allocating a
 * fresh typed array costs more than a simple elementwise kernel's arithmetic
 * (the engine zero-fills new memory and large arrays cost page faults and GC),
 * and graph evaluation disposes every intermediate right after its last use,
 * so the next kernel of the same size takes the buffer just freed. Only
 * buffers of at least {@link POOL_MIN_LENGTH} elements are kept, at most
 * {@link POOL_MAX_BYTES} in all (beyond that, freed buffers go to the GC).
 */
const pool = new Map<string, HostArray[]>();
let pooledBytes = 0;
/** Smaller buffers are cheap to allocate: not pooled. */
const POOL_MIN_LENGTH = 4096;
/** Cap on the bytes held by the pool. */
const POOL_MAX_BYTES = 256 * 2 ** 20;

const poolKey = (dtype: DType, size: number): string => `${dtype}:${size}`;

function takePooled(dtype: DType, size: number): HostArray | undefined {
  if (size < POOL_MIN_LENGTH) return undefined;
  const free = pool.get(poolKey(dtype, size));
  const data = free?.pop();
  if (data) pooledBytes -= data.byteLength;
  return data;
}

function release(data: HostArray): void {
  if (data.length < POOL_MIN_LENGTH || pooledBytes + data.byteLength > POOL_MAX_BYTES) return;
  const key = poolKey(data instanceof Float64Array ? 'float64' : 'float32', data.length);
  const free = pool.get(key);
  if (free) free.push(data);
  else pool.set(key, [data]);
  pooledBytes += data.byteLength;
}

/** Returns a kernel's scratch buffer (from {@link allocate}, no tensor holds it) to the pool. */
export function recycleBuffer(data: HostArray): void {
  release(data);
}

/** Drops every pooled buffer (for tests and memory-sensitive callers). */
export function clearBufferPool(): void {
  pool.clear();
  pooledBytes = 0;
}

/** Bytes currently held by the buffer pool. */
export function bufferPoolBytes(): number {
  return pooledBytes;
}

/** Zeroed data of the given dtype (a recycled buffer, zero-filled, when one fits). */
export function allocate(dtype: DType, size: number): HostArray {
  const reused = takePooled(dtype, size);
  if (reused) return reused.fill(0);
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/**
 * Data of the given dtype with unspecified contents (possibly a recycled
 * buffer): only for kernels that write every element of their output.
 */
export function allocateUninitialized(dtype: DType, size: number): HostArray {
  return takePooled(dtype, size) ?? allocate(dtype, size);
}

/** Wraps fresh data (not referenced by any other handle) in a handle. */
export function makeTensor(data: HostArray, shape: Shape, dtype: DType): ReferenceTensor {
  return new ReferenceTensor({ data, handles: 1 }, shape, dtype);
}

/** A new handle on `t`'s buffer (reshape, same-dtype cast); the buffer lives until both are disposed. */
export function shareTensor(t: ReferenceTensor, shape: Shape, dtype: DType): ReferenceTensor {
  t.storage.handles++;
  return new ReferenceTensor(t.storage, shape, dtype);
}

/** Marks `t` disposed and recycles its buffer when no other live handle shares it. */
export function disposeTensor(t: ReferenceTensor): void {
  if (t.disposed) return;
  t.disposed = true;
  if (--t.storage.handles === 0) release(t.storage.data);
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
      `tensor ${describeOperand(t)} was disposed; keep a handle alive until its last use`,
    );
  }
  return t;
}

/** The data of a live reference tensor (shared, do not write). */
export function tensorData(t: Tensor, op = 'read'): HostArray {
  return live(t, op).data;
}
