/**
 * The pure kernel implementations on typed arrays, shared like
 * tfjs-backend-cpu's `shared.ts`: other backends and packages may call them on
 * host data directly (e.g. `gemm` on Float64Arrays without tensor handles).
 * Inputs are not validated here; the glue in `backend.ts` does that.
 */
export { binaryImpl } from './kernels/binary';
export { broadcastToImpl } from './kernels/broadcast-to';
export { castImpl } from './kernels/cast';
export { compareImpl } from './kernels/compare';
export { concatImpl } from './kernels/concat';
export { elementwiseImpl } from './kernels/fused';
export { gatherImpl } from './kernels/gather';
export { gemm, matmulImpl, type MatmulGeometry, type StridedMatrix } from './kernels/matmul';
export {
  gemmKernel,
  type GemmKernel,
  gemmThreads,
  PARALLEL_MIN_WORK,
  useGemmKernel,
  useGemmThreads,
} from './kernels/gemm-engine';
export {
  GEMM_WORKER_SOURCE,
  type GemmWorkerData,
  type GemmWorkerHandle,
  type StartGemmWorker,
} from './kernels/wasm/gemm-threads';
export { reduceImpl } from './kernels/reduce';
export { scatterAddImpl } from './kernels/scatter-add';
export { sliceImpl } from './kernels/slice';
export { transposeImpl } from './kernels/transpose';
export { unaryImpl } from './kernels/unary';
export { whereImpl } from './kernels/where';
