/**
 * The op table: every Backend op's semantics in one place. The reference,
 * tfjs and onnxruntime backends and autodiff's primitives all call
 * `OP_TABLE[op].infer`, so an op has one shape rule, one dtype rule and one
 * set of error messages everywhere.
 */
import {
  castSpec,
  binarySpec,
  compareSpec,
  elementwiseSpec,
  unarySpec,
  whereSpec,
} from './elementwise';
import { fillSpec, fromArraySpec, zerosSpec } from './creation';
import { matmulSpec } from './matmul';
import { reduceSpec } from './reduce';
import {
  broadcastToSpec,
  concatSpec,
  gatherSpec,
  reshapeSpec,
  scatterAddSpec,
  sliceSpec,
  transposeSpec,
} from './structure';

/** Every op's {@link OpSpec}, keyed by its `Backend` method name. */
export const OP_TABLE = {
  fromArray: fromArraySpec,
  fill: fillSpec,
  zeros: zerosSpec,
  unary: unarySpec,
  binary: binarySpec,
  compare: compareSpec,
  where: whereSpec,
  cast: castSpec,
  elementwise: elementwiseSpec,
  matmul: matmulSpec,
  reshape: reshapeSpec,
  transpose: transposeSpec,
  slice: sliceSpec,
  concat: concatSpec,
  gather: gatherSpec,
  scatterAdd: scatterAddSpec,
  broadcastTo: broadcastToSpec,
  reduce: reduceSpec,
} as const;

/** The name of an op in {@link OP_TABLE}. */
export type OpName = keyof typeof OP_TABLE;

export { DTYPES, checkArity, checkDType, describeOperand, sameDType } from './checks';
export { REDUCE_OPS, type ReduceParams } from './reduce';
export type { MatmulResult } from './matmul';
export type { OperandType, OpSpec, ResultType } from './types';
