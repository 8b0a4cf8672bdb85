/**
 * `@sublora/autodiff`: a staged expression IR with JAX-style per-primitive
 * jvp and vjp/transpose rules, symbolic zeros, composable transformations
 * (grad, vjp, jvp, jacobian, hvp, batched hessian, PDE input derivatives),
 * graph passes and evaluation on any `@sublora/tensor` Backend.
 * See README.md for an example and IR.md for the graph format.
 */
export type { Aval, Graph, InputSpec, Node, ParamValue, Params } from './ir/types';
export { GraphError, useCounts } from './ir/types';
export { paramsKey, Value } from './ir/builder';
export { HASHED_ARRAY_MIN_LENGTH, isHashedArray } from './ir/content-hash';
export { call, spec, trace } from './ir/trace';
export {
  fromJSON,
  graphToString,
  toJSON,
  type EncodedFloat,
  type GraphJSON,
  type NodeJSON,
} from './ir/json';
export {
  add,
  broadcastTo,
  cast,
  concat,
  constant,
  cos,
  div,
  equal,
  exp,
  gather,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  matmul,
  mean,
  mul,
  neg,
  pow,
  reshape,
  scatterAdd,
  sin,
  slice,
  sqrt,
  square,
  sub,
  sum,
  tanh,
  transpose,
  where,
  type MatmulOptions,
  type Operand,
} from './ops';
export { jvp, type WrtOptions } from './transforms/jvp';
export { grad, valueAndGrad, vjp } from './transforms/vjp';
export {
  adjointCutsPay,
  defaultHessianChunk,
  HESSIAN_CHUNK_BYTES,
  hessian,
  hvp,
  jacobian,
  type HessianOptions,
  type JacobianOptions,
  type SingleWrtOptions,
} from './transforms/hessian';
export {
  laplacian,
  partial,
  type LaplacianOptions,
  type PartialOptions,
} from './transforms/input-derivatives';
export { dce } from './passes/dce';
export { cse } from './passes/cse';
export { foldConstants } from './passes/fold';
export { sinkSlices } from './passes/sink-slices';
export { simplify } from './passes/simplify';
export { foldDoublings } from './passes/doublings';
export {
  evaluate,
  evaluateToArrays,
  isGraphExecutor,
  NonFiniteValueError,
  profileByOp,
  type EvaluateOptions,
  type GraphArgument,
  type NodeTiming,
  type OpTiming,
  type GraphExecutor,
} from './evaluate';
export { primitives } from './primitives/table';
export type {
  Primitive,
  Tangent,
  TangentAlgebra,
  JvpArgs,
  VjpArgs,
  ReverseRule,
} from './primitives/types';
