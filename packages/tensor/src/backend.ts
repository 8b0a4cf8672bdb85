/**
 * The abstract tensor interface every backend implements.
 *
 * A backend is a plain record of kernels (fp-ts style: an instance is an object
 * literal, helpers take it first). Tensors are opaque handles `{ shape, dtype }`
 * that the backend owns; only the backend that made a handle may read it.
 *
 * Kernels are synchronous and return new handles; reading data back is the only
 * asynchronous step (`read`), so a backend may defer work (onnxruntime records a
 * graph and compiles it on `read`; tfjs may queue GPU work).
 */

/** Element types. float64 is the reference; float32 is what GPUs and tfjs run. */
export type DType = 'float32' | 'float64';

/** A tensor shape: one non-negative integer per axis; `[]` is a scalar. */
export type Shape = readonly number[];

/** Host data of a given dtype. */
export type HostArray = Float64Array | Float32Array;

/** An opaque tensor handle owned by one backend. */
export interface Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Name of the backend that owns this handle. */
  readonly backend: string;
}

/** Every elementwise unary kernel, in a fixed order (for validation and coverage listings). */
export const UNARY_OPS = [
  'neg',
  'exp',
  'log',
  'tanh',
  'sin',
  'cos',
  'sqrt',
  'square',
  'abs',
  'sign',
  'reciprocal',
] as const;

/** Elementwise unary kernels. */
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Every elementwise binary kernel. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;

/** Elementwise binary kernels, with numpy broadcasting. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Every comparison kernel. */
export const COMPARE_OPS = ['less', 'lessEqual', 'greater', 'greaterEqual', 'equal'] as const;

/** Comparisons, with numpy broadcasting; the result is 1 where true, 0 where false (same dtype). */
export type CompareOp = (typeof COMPARE_OPS)[number];

/** One step of an {@link ElementwiseProgram}: an op on earlier registers. */
export interface ElementwiseStep {
  readonly op: UnaryOp | BinaryOp;
  /** The registers it reads: one for a unary op, two for a binary op. */
  readonly args: readonly number[];
}

/**
 * A chain of elementwise ops run as one fused kernel. Registers `0 .. k-1`
 * hold the k operands, broadcast to the output shape; step s writes register
 * `k + s` from earlier registers; the result is the last register. Every step
 * is rounded to the dtype, so the result is exactly that of the steps run as
 * separate `unary`/`binary` kernels.
 */
export interface ElementwiseProgram {
  readonly steps: readonly ElementwiseStep[];
}

/** Reductions along axes. */
export type ReduceOp = 'sum' | 'mean' | 'max';

/** Options of {@link Backend.matmul}. */
export interface MatmulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/**
 * What a backend declares about its cost model, for graph transformations
 * that choose between equivalent graphs (autodiff's `hessian`). Pure
 * packages read these numbers; only the backend that measured them states them.
 */
export interface BackendHints {
  /**
   * True when the backend compiles and runs whole graphs (onnxruntime), so
   * extra nodes cost compile time while saved matmuls cost little; false
   * when it runs kernel by kernel (reference, tfjs).
   */
  readonly compilesWholeGraphs: boolean;
  /**
   * Flops of a packed matmul that cost as much time as reading one element
   * in a memory-bound Gram product (`[2, L] x [2, L]^T`).
   */
  readonly gramReadFlops: number;
}

/**
 * The kernels of one backend.
 *
 * Shape rules follow numpy. Every kernel checks its inputs and throws a
 * `TensorError` (one line, naming the operation and both shapes/dtypes) on a
 * mismatch. Mixed dtypes are an error, never a silent cast: use `cast`.
 */
export interface Backend {
  /** Short unique name, e.g. `reference`, `tfjs`, `onnxruntime`. */
  readonly name: string;
  /** The dtypes this backend computes in natively. */
  readonly dtypes: readonly DType[];
  /** Capability and cost hints (see {@link BackendHints}); absent means unknown. */
  readonly hints?: BackendHints;

  // creation
  fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType): Tensor;
  fill(shape: Shape, value: number, dtype: DType): Tensor;
  zeros(shape: Shape, dtype: DType): Tensor;

  // elementwise
  unary(op: UnaryOp, x: Tensor): Tensor;
  binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor;
  compare(op: CompareOp, a: Tensor, b: Tensor): Tensor;
  /** `cond ? a : b` elementwise (cond nonzero = true), with broadcasting. */
  where(cond: Tensor, a: Tensor, b: Tensor): Tensor;
  cast(x: Tensor, dtype: DType): Tensor;
  /**
   * Optional fused kernel: `program` over `operands` (one dtype) with result
   * shape `shape`. Each operand broadcasts to `shape` numpy-style
   * ({@link isFusibleOperand}): same shape, a scalar, a row `[w]`, a column
   * `[N, 1]`, a direction-indexed `[B, 1, w]`, ...
   * Callers that find it (autodiff's `evaluate`) run chains of elementwise
   * nodes through it instead of one kernel per node.
   */
  elementwise?(program: ElementwiseProgram, operands: readonly Tensor[], shape: Shape): Tensor;

  // linear algebra: `[..., m, k] x [..., k, n] -> [..., m, n]`, batch dims broadcast
  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor;

  // structure
  reshape(x: Tensor, shape: Shape): Tensor;
  transpose(x: Tensor, perm?: readonly number[]): Tensor;
  /** `size[i] = -1` means "to the end". */
  slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor;
  concat(xs: readonly Tensor[], axis: number): Tensor;
  /** Select `indices` (integers, given as host numbers) along `axis`. */
  gather(x: Tensor, indices: readonly number[], axis: number): Tensor;
  /**
   * The transpose of `gather`: a tensor whose `axis` has length `axisSize`,
   * zero except that slice `indices[k]` accumulates slice `k` of `updates`.
   */
  scatterAdd(updates: Tensor, indices: readonly number[], axis: number, axisSize: number): Tensor;
  /** Broadcast `x` to `shape` (numpy rules). */
  broadcastTo(x: Tensor, shape: Shape): Tensor;

  // reductions; `axes` undefined = all axes
  reduce(op: ReduceOp, x: Tensor, axes?: readonly number[], keepDims?: boolean): Tensor;

  // data out and memory
  /** Copy the data back to the host (row-major). */
  read(x: Tensor): Promise<HostArray>;
  /** Synchronous read, where the engine allows it. */
  readSync?(x: Tensor): HostArray;
  /** Release a handle. Using it afterwards is an error. Idempotent. */
  dispose(x: Tensor): void;
}
