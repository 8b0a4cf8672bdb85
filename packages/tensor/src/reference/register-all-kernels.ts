/**
 * The reference backend: every kernel of the {@link Backend} interface, in
 * one record, so its coverage is visible at a glance.
 */
import type {
  Backend,
  BackendHints,
  ElementwiseProgram,
  HostArray,
  Shape,
  Tensor,
} from '../backend';
import {
  binary,
  broadcastTo,
  cast,
  compare,
  concat,
  dispose,
  elementwise,
  fill,
  fromArray,
  gather,
  matmul,
  read,
  readSync,
  reduce,
  reshape,
  scatterAdd,
  slice,
  transpose,
  unary,
  where,
  zeros,
} from './backend';
import { gemmKernel, type GemmKernel, gemmThreads } from './kernels/gemm-engine';
import { REFERENCE } from './tensor';

/** What {@link ReferenceBackend.describe} reports. */
export interface ReferenceDescription {
  /** The packed matrix product's kernel (`referenceKernels.useGemmKernel`). */
  readonly matmulKernel: GemmKernel;
  /** Threads that share big matrix products (`referenceKernels.useGemmThreads`). */
  readonly matmulThreads: number;
}

/** The reference backend's type: a {@link Backend} whose `readSync` and `elementwise` are always present. */
export interface ReferenceBackend extends Backend {
  readonly name: 'reference';
  /** A row-major copy of the data, synchronously (the reference backend computes eagerly). */
  readSync(x: Tensor): HostArray;
  /** The fused elementwise kernel (a generated loop per program). */
  elementwise(program: ElementwiseProgram, operands: readonly Tensor[], shape: Shape): Tensor;
  readonly hints: BackendHints;
  /** The matrix product's kernel and threads in this process (`listBackends` shows it). */
  describe(): ReferenceDescription;
}

/**
 * The float64/float32 pure-TypeScript backend: eager, synchronous kernels on
 * row-major typed arrays. float32 results are computed in float64 and rounded
 * once per kernel (matmul and reductions accumulate in float64). It is the
 * default backend and the truth the other backends are compared against.
 */
export const referenceBackend: ReferenceBackend = Object.freeze({
  name: REFERENCE,
  dtypes: Object.freeze(['float64', 'float32'] as const),
  // Eager kernels. gramReadFlops measured here: 4.7-5.2 GFLOP/s for a
  // [4096, w] x [w, w] matmul against 1.2-1.4 G elements/s read by a
  // [2, L] x [2, L]^T Gram product (w = 64, 256), so about 4.
  hints: Object.freeze({ compilesWholeGraphs: false, gramReadFlops: 4 }),
  // creation
  fromArray,
  fill,
  zeros,
  // elementwise
  unary,
  binary,
  compare,
  where,
  cast,
  elementwise,
  // linear algebra
  matmul,
  // structure
  reshape,
  transpose,
  slice,
  concat,
  gather,
  scatterAdd,
  broadcastTo,
  // reductions
  reduce,
  // data out and memory
  read,
  readSync,
  dispose,
  describe: () => ({ matmulKernel: gemmKernel(), matmulThreads: gemmThreads() }),
});
