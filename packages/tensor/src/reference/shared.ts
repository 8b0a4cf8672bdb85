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
export {
  gemm,
  gemmKernel,
  type GemmKernel,
  matmulImpl,
  type MatmulGeometry,
  type StridedMatrix,
  useGemmKernel,
} from './kernels/matmul';
export { reduceImpl } from './kernels/reduce';
export { scatterAddImpl } from './kernels/scatter-add';
export { sliceImpl } from './kernels/slice';
export { transposeImpl } from './kernels/transpose';
export { unaryImpl } from './kernels/unary';
export { whereImpl } from './kernels/where';
