/**
 * Which ONNX operators run in float64 on onnxruntime's CPU provider, and the
 * emission helper that casts around the ones that do not.
 *
 * Measured with onnxruntime-node 1.30 (CPU): the table is checked against the
 * engine by `dtype-table.test.ts`, so a wrong entry fails the tests.
 */
import {
  elemTypeCode,
  type OnnxAttributeValue,
  type OnnxElemType,
  type OnnxGraphBuilder,
} from './onnx-model';

/**
 * `native`: a float64 kernel exists. `float32-cast`: no float64 kernel, so a
 * float64 graph casts the inputs to float32, runs the op, and casts back
 * (the result then carries float32 rounding, relative error about 6e-8).
 */
export type Float64Support = 'native' | 'float32-cast';

/** Every ONNX operator this package emits, with its float64 support on CPU. */
export const ONNX_OP_FLOAT64: Readonly<Record<string, Float64Support>> = {
  Abs: 'native',
  Add: 'native',
  Cast: 'native',
  Concat: 'native',
  Cos: 'native',
  Div: 'native',
  Equal: 'native',
  Erf: 'float32-cast',
  Exp: 'native',
  Expand: 'native',
  Gather: 'native',
  Gemm: 'native',
  Greater: 'native',
  GreaterOrEqual: 'native',
  Identity: 'native',
  Less: 'native',
  LessOrEqual: 'native',
  Log: 'native',
  MatMul: 'native',
  Max: 'native',
  Min: 'native',
  Mul: 'native',
  Neg: 'native',
  Pow: 'native',
  Reciprocal: 'native',
  ReduceMax: 'native',
  ReduceMean: 'native',
  ReduceSum: 'native',
  Reshape: 'native',
  ScatterND: 'native',
  Sign: 'native',
  Sin: 'native',
  Slice: 'native',
  Softplus: 'float32-cast',
  Sub: 'native',
  Sqrt: 'native',
  Tanh: 'native',
  Transpose: 'native',
  Where: 'native',
};

/**
 * Adds `opType` to the graph, casting its floating inputs to float32 and its
 * result back when `elem` is float64 and the op has no float64 kernel.
 * @param floatInputs - positions of the inputs that carry `elem` (others, such as
 *   int64 shapes or bool conditions, are passed through); default all
 */
export function emitOp(
  b: OnnxGraphBuilder,
  opType: string,
  inputs: readonly string[],
  elem: OnnxElemType,
  attributes: Record<string, OnnxAttributeValue> = {},
  floatInputs?: readonly number[],
): string {
  const support = ONNX_OP_FLOAT64[opType];
  if (support === undefined)
    throw new Error(`internal: ONNX op ${opType} is missing from ONNX_OP_FLOAT64`);
  if (elem !== 'float64' || support === 'native') return b.node(opType, inputs, attributes);
  const toFloat32 = { to: elemTypeCode('float32') };
  const cast = inputs.map((name, i) =>
    floatInputs && !floatInputs.includes(i) ? name : b.node('Cast', [name], toFloat32),
  );
  return b.node('Cast', [b.node(opType, cast, attributes)], { to: elemTypeCode('float64') });
}
