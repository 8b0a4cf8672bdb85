/**
 * The float64 table is a claim about the engine: check every entry against
 * onnxruntime itself, and check that casting around an op without a float64
 * kernel gives float32-accurate results.
 */
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { emitOp } from './dtype-table';
import { ONNX_OP_FLOAT64, OnnxGraphBuilder, saveOnnx, type OnnxAttributeValue } from './index';

/** A float64 probe per op: inputs (float64 unless int64 given) and attributes; other ops get one or two vectors. */
const PROBES: Record<
  string,
  { inputs: (number[] | { int64: number[] })[]; attrs?: Record<string, OnnxAttributeValue> }
> = {
  Cast: { inputs: [[1, 2]], attrs: { to: 11 } },
  Concat: { inputs: [[1, 2], [3]], attrs: { axis: 0 } },
  Expand: { inputs: [[1, 2], { int64: [2, 2] }] },
  Gather: { inputs: [[1, 2], { int64: [1, 0] }], attrs: { axis: 0 } },
  Gemm: { inputs: [[1, 2]] },
  MatMul: {
    inputs: [
      [1, 2],
      [3, 4],
    ],
  },
  ReduceMax: { inputs: [[1, 2]], attrs: { axes: [0] } },
  ReduceMean: { inputs: [[1, 2]], attrs: { axes: [0] } },
  ReduceSum: { inputs: [[1, 2], { int64: [0] }] },
  Reshape: { inputs: [[1, 2], { int64: [2, 1] }] },
  ScatterND: { inputs: [[1, 2], [5]] },
  Slice: { inputs: [[1, 2], { int64: [0] }, { int64: [1] }] },
  Transpose: { inputs: [[1, 2]] },
  Where: { inputs: [[1, 2]] },
};
const BINARY = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'Equal',
];

async function runsInFloat64(op: string): Promise<boolean> {
  const b = new OnnxGraphBuilder(`probe_${op}`);
  const probe = PROBES[op] ?? {
    inputs: BINARY.includes(op)
      ? [
          [1, 2],
          [3, 4],
        ]
      : [[1, 2]],
  };
  const feeds: Record<string, OrtTensor> = {};
  const matrices = op === 'MatMul' || op === 'Gemm';
  let names = probe.inputs.map((v, i) => {
    if (!Array.isArray(v)) return b.int64s(v.int64);
    const shape = matrices ? (i === 0 ? [1, 2] : [2, 1]) : [v.length];
    feeds[`in${i}`] = new OrtTensor('float64', Float64Array.from(v), shape);
    return b.input(`in${i}`, 'float64', shape);
  });
  if (op === 'Gemm') names = [names[0], b.node('Transpose', [names[0]], { perm: [1, 0] })];
  if (op === 'Where') names = [b.node('Cast', [names[0]], { to: 9 }), names[0], names[0]];
  if (op === 'ScatterND') names = [names[0], b.initializer('int64', [1, 1], [0]), names[1]];
  const out = b.node(op, names, probe.attrs ?? {});
  const boolOut = ['Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Equal'].includes(op);
  b.output(boolOut ? b.node('Cast', [out], { to: 11 }) : out, 'float64', []);
  // Output shapes are not checked by this probe: declare the output without a shape.
  const model = b.build();
  (model.graph?.output ?? [])[0].type = { tensorType: { elemType: 11 } };
  try {
    const session = await InferenceSession.create(saveOnnx(model));
    await session.run(feeds);
    return true;
  } catch {
    return false;
  }
}

test.each(Object.keys(ONNX_OP_FLOAT64))('%s: the table matches the engine', async (op) => {
  expect(await runsInFloat64(op)).toBe(ONNX_OP_FLOAT64[op] === 'native');
});

test('emitOp casts around an op without a float64 kernel', async () => {
  const b = new OnnxGraphBuilder('softplus64');
  const x = b.input('x', 'float64', [3]);
  b.output(emitOp(b, 'Softplus', [x], 'float64'), 'float64', [3]);
  const session = await InferenceSession.create(saveOnnx(b));
  const data = [-3, 0.5, 4];
  const out = (await session.run({ x: new OrtTensor('float64', Float64Array.from(data), [3]) }))[
    session.outputNames[0]
  ];
  expect(out.type).toBe('float64');
  (out.data as Float64Array).forEach((v, i) =>
    expect(Math.abs(v - Math.log1p(Math.exp(data[i])))).toBeLessThan(1e-6),
  );
});
