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

/** The type of {@link OP_TABLE}, spelled out so declarations name each spec's module. */
export interface OpTable {
  readonly fromArray: typeof fromArraySpec;
  readonly fill: typeof fillSpec;
  readonly zeros: typeof zerosSpec;
  readonly unary: typeof unarySpec;
  readonly binary: typeof binarySpec;
  readonly compare: typeof compareSpec;
  readonly where: typeof whereSpec;
  readonly cast: typeof castSpec;
  readonly elementwise: typeof elementwiseSpec;
  readonly matmul: typeof matmulSpec;
  readonly reshape: typeof reshapeSpec;
  readonly transpose: typeof transposeSpec;
  readonly slice: typeof sliceSpec;
  readonly concat: typeof concatSpec;
  readonly gather: typeof gatherSpec;
  readonly scatterAdd: typeof scatterAddSpec;
  readonly broadcastTo: typeof broadcastToSpec;
  readonly reduce: typeof reduceSpec;
}

/** Every op's {@link OpSpec}, keyed by its `Backend` method name. */
export const OP_TABLE: OpTable = {
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
};

/** The name of an op in {@link OP_TABLE}. */
export type OpName = keyof OpTable;

export { DTYPES, checkArity, checkDType, describeOperand, sameDType } from './checks';
export { REDUCE_OPS, type ReduceParams } from './reduce';
export type { MatmulResult } from './matmul';
export type { OperandType, OpSpec, ResultType } from './types';
