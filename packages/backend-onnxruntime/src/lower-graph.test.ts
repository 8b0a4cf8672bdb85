/**
 * Lowered graphs against node-by-node execution on the reference backend
 * (IR.md's "backend kernel" column), on hand-written graphs that use every
 * primitive.
 */
import type { Graph, Node } from '@sublora/autodiff';
import { referenceBackend as ref, type DType, type Tensor } from '@sublora/tensor';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import {
  createOnnxruntimeBackend,
  lowerGraph,
  lowerGraphWithNames,
  modelSignature,
  saveOnnx,
  type OnnxruntimeBackend,
} from './index';

/** Node-by-node interpretation on the reference backend, following IR.md's kernel column. */
function interpret(graph: Graph, inputs: readonly Tensor[]): Float64Array[] {
  const v: Tensor[] = [];
  for (const n of graph.nodes) {
    const [a, b, c] = n.inputs.map((i) => v[i]);
    const p = n.params as Record<string, never>;
    const d = n.dtype;
    const ops: Record<string, () => Tensor> = {
      input: () => inputs[p.index],
      constant: () => ref.fromArray(p.data, n.shape, d),
      fill: () => ref.fill(n.shape, p.value, d),
      pow: () => ref.binary('pow', a, ref.fill([], p.exponent, d)),
      matmul: () => ref.matmul(a, b, { transposeA: p.transposeA, transposeB: p.transposeB }),
      transpose: () => ref.transpose(a, p.perm),
      reshape: () => ref.reshape(a, p.shape),
      broadcast: () => ref.broadcastTo(a, p.shape),
      sum: () => ref.reduce('sum', a, p.axes, p.keepDims),
      mean: () => ref.reduce('mean', a, p.axes, p.keepDims),
      slice: () => ref.slice(a, p.begin, p.size),
      concat: () =>
        ref.concat(
          n.inputs.map((i) => v[i]),
          p.axis,
        ),
      gather: () => ref.gather(a, p.indices, p.axis),
      scatterAdd: () => ref.scatterAdd(a, p.indices, p.axis, p.axisSize),
      compare: () => ref.compare(p.op, a, b),
      where: () => ref.where(a, b, c),
      cast: () => ref.cast(a, p.dtype),
    };
    const unary = ['neg', 'exp', 'log', 'tanh', 'sin', 'cos', 'sqrt', 'square'];
    const binary = ['add', 'sub', 'mul', 'div'];
    v.push(
      unary.includes(n.op)
        ? ref.unary(n.op as 'neg', a)
        : binary.includes(n.op)
          ? ref.binary(n.op as 'add', a, b)
          : ops[n.op](),
    );
  }
  return graph.outputs.map((id) => Float64Array.from(ref.readSync?.(v[id]) ?? []));
}

/** Builds a Graph from [op, inputs, params, shape] rows (dtype float64 unless given). */
function graphOf(
  specs: { name: string; shape: number[] }[],
  rows: [string, number[], Record<string, unknown>, number[], DType?][],
  outputs: number[],
): Graph {
  const nodes: Node[] = specs.map((s, i) => ({
    id: i,
    op: 'input',
    inputs: [],
    params: { index: i, name: s.name },
    shape: s.shape,
    dtype: 'float64',
  }));
  for (const [op, inputs, params, shape, dtype = 'float64'] of rows) {
    nodes.push({ id: nodes.length, op, inputs, params: params as Node['params'], shape, dtype });
  }
  return { inputs: specs.map((s) => ({ ...s, dtype: 'float64' as const })), nodes, outputs };
}

// x: [4,3], w: [3,2]. Node ids in comments.
const everyPrimitive = graphOf(
  [
    { name: 'x', shape: [4, 3] },
    { name: 'w', shape: [3, 2] },
  ],
  [
    ['matmul', [0, 1], { transposeA: false, transposeB: false }, [4, 2]], // 2
    ['tanh', [2], {}, [4, 2]], // 3
    ['constant', [], { data: [0.5, -0.25] }, [2]], // 4
    ['add', [3, 4], {}, [4, 2]], // 5
    ['square', [5], {}, [4, 2]], // 6
    ['sum', [6], { axes: [0, 1], keepDims: false }, []], // 7
    ['fill', [], { value: 2 }, []], // 8
    ['div', [7, 8], {}, []], // 9
    ['exp', [0], {}, [4, 3]], // 10
    ['log', [10], {}, [4, 3]], // 11
    ['sin', [11], {}, [4, 3]], // 12
    ['cos', [12], {}, [4, 3]], // 13
    ['neg', [13], {}, [4, 3]], // 14
    ['sqrt', [10], {}, [4, 3]], // 15
    ['pow', [15], { exponent: 3 }, [4, 3]], // 16
    ['sub', [16, 14], {}, [4, 3]], // 17
    ['mul', [17, 0], {}, [4, 3]], // 18
    ['transpose', [18], { perm: [1, 0] }, [3, 4]], // 19
    ['reshape', [19], { shape: [2, 6] }, [2, 6]], // 20
    ['slice', [20], { begin: [0, 1], size: [2, 4] }, [2, 4]], // 21
    ['concat', [21, 21], { axis: 0 }, [4, 4]], // 22
    ['gather', [22], { indices: [3, 0, 0], axis: 1 }, [4, 3]], // 23
    ['scatterAdd', [23], { indices: [1, 1, 4], axis: 1, axisSize: 5 }, [4, 5]], // 24
    ['mean', [24], { axes: [1], keepDims: true }, [4, 1]], // 25
    ['broadcast', [25], { shape: [4, 2] }, [4, 2]], // 26
    ['compare', [26, 5], { op: 'less' }, [4, 2]], // 27
    ['where', [27, 26, 5], {}, [4, 2]], // 28
    ['cast', [28], { dtype: 'float32' }, [4, 2], 'float32'], // 29
    ['cast', [29], { dtype: 'float64' }, [4, 2]], // 30
  ],
  [9, 30, 0, 4],
);

const X = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
const W = [0.3, -0.7, 1.1, 0.2, -0.4, 0.9];

let be: OnnxruntimeBackend;
beforeAll(async () => {
  be = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
});

test('every primitive lowers and matches node-by-node execution on the reference backend', async () => {
  const want = interpret(everyPrimitive, [
    ref.fromArray(X, [4, 3], 'float64'),
    ref.fromArray(W, [3, 2], 'float64'),
  ]);
  const outs = await be.executeGraph(everyPrimitive, [
    be.fromArray(X, [4, 3], 'float64'),
    be.fromArray(W, [3, 2], 'float64'),
  ]);
  expect(outs.map((t) => t.shape)).toEqual([[], [4, 2], [4, 3], [2]]);
  const got = await be.readMany(outs);
  got.forEach((g, o) =>
    g.forEach((value, i) =>
      expect(Math.abs(value - want[o][i])).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(want[o][i])),
      ),
    ),
  );
});

test('a graph compiles once and is reused for new inputs', async () => {
  const be = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
  for (let r = 0; r < 3; r++) {
    const x = X.map((v) => v + r);
    const [loss] = await be.executeGraph(everyPrimitive, [
      be.fromArray(x, [4, 3], 'float64'),
      be.fromArray(W, [3, 2], 'float64'),
    ]);
    const want = interpret(everyPrimitive, [
      ref.fromArray(x, [4, 3], 'float64'),
      ref.fromArray(W, [3, 2], 'float64'),
    ])[0];
    expect((await be.read(loss))[0]).toBeCloseTo(want[0], 12);
  }
  // A structurally equal copy (a different object) hits the same session.
  await be.executeGraph(JSON.parse(JSON.stringify(everyPrimitive)) as Graph, [
    be.fromArray(X, [4, 3], 'float64'),
    be.fromArray(W, [3, 2], 'float64'),
  ]);
  expect(be.describe().sessions).toMatchObject({ compiles: 1, hits: 3 });
});

test('the lowered model runs in a plain onnxruntime session with named inputs and outputs', async () => {
  const lowered = lowerGraphWithNames(everyPrimitive);
  expect(lowered.inputNames).toEqual(['x', 'w']);
  expect(modelSignature(lowered.model).outputs.map((o) => o.shape)).toEqual([
    [],
    [4, 2],
    [4, 3],
    [2],
  ]);
  const session = await InferenceSession.create(saveOnnx(everyPrimitive));
  const out = await session.run({
    x: new OrtTensor('float64', Float64Array.from(X), [4, 3]),
    w: new OrtTensor('float64', Float64Array.from(W), [3, 2]),
  });
  const want = interpret(everyPrimitive, [
    ref.fromArray(X, [4, 3], 'float64'),
    ref.fromArray(W, [3, 2], 'float64'),
  ]);
  expect((out.output0.data as Float64Array)[0]).toBeCloseTo(want[0][0], 12);
});

test('float32 compute lowers float64 graphs to float32 models', () => {
  const sig = modelSignature(lowerGraph(everyPrimitive, { computeDtype: 'float32' }));
  expect(sig.inputs.map((i) => i.type)).toEqual(['float32', 'float32']);
});

test('bad graphs and inputs fail with one line naming the node or input', async () => {
  const unknown = graphOf([{ name: 'x', shape: [2] }], [['erfinv', [0], {}, [2]]], [1]);
  expect(() => lowerGraph(unknown)).toThrow(/primitive 'erfinv' \(node %1\) has no ONNX lowering/);
  const lying = graphOf([{ name: 'x', shape: [2] }], [['exp', [0], {}, [3]]], [1]);
  expect(() => lowerGraph(lying)).toThrow(/node %1 declares float64\[3\]/);
  await expect(
    be.executeGraph(everyPrimitive, [be.fromArray(X, [4, 3], 'float64')]),
  ).rejects.toThrow(/takes 2 inputs/);
  await expect(
    be.executeGraph(everyPrimitive, [
      be.fromArray(X, [3, 4], 'float64'),
      be.fromArray(W, [3, 2], 'float64'),
    ]),
  ).rejects.toThrow(/input 0 \(x\) is float64\[3,4\]/);
});

test('an input the outputs ignore stays in the signature', () => {
  const g = graphOf(
    [
      { name: 'a', shape: [1] },
      { name: 'b', shape: [2] },
    ],
    [['exp', [0], {}, [1]]],
    [2, 1],
  );
  expect(
    modelSignature(lowerGraph(g))
      .inputs.map((i) => i.name)
      .sort(),
  ).toEqual(['a', 'b']);
});

/** How many nodes of each ONNX op type a lowered model holds. */
function opCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of lowerGraph(graph).graph?.node ?? []) {
    const op = n.opType ?? '';
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

type InputData = readonly { values: number[]; shape: number[] }[];

/** The outputs of `graph` run on onnxruntime. */
async function runOnnx(graph: Graph, data: InputData): Promise<Float64Array[]> {
  const outs = await be.executeGraph(
    graph,
    data.map((d) => be.fromArray(d.values, d.shape, 'float64')),
  );
  return (await be.readMany(outs)).map((o) => Float64Array.from(o));
}

/** Runs `graph` on onnxruntime and checks every output against node-by-node reference execution. */
async function expectMatchesReference(graph: Graph, data: InputData): Promise<Float64Array[]> {
  const want = interpret(
    graph,
    data.map((d) => ref.fromArray(d.values, d.shape, 'float64')),
  );
  const got = await runOnnx(graph, data);
  got.forEach((g, o) =>
    g.forEach((value, i) =>
      expect(Math.abs(value - want[o][i])).toBeLessThanOrEqual(
        1e-14 * Math.max(1, Math.abs(want[o][i])),
      ),
    ),
  );
  return got;
}

const wave = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(i + phase));

// Taylor streams a, b ([1, 3, 2]) stacked into one product with w ([2, 2]), then split again.
const stackedRows: [string, number[], Record<string, unknown>, number[]][] = [
  ['concat', [0, 1], { axis: 1 }, [1, 6, 2]], // 3
  ['matmul', [3, 2], { transposeA: false, transposeB: true }, [1, 6, 2]], // 4
  ['slice', [4], { begin: [0, 0, 0], size: [1, 3, 2] }, [1, 3, 2]], // 5
  ['slice', [4], { begin: [0, 3, 0], size: [1, 3, 2] }, [1, 3, 2]], // 6
];
const stackedSpecs = [
  { name: 'a', shape: [1, 3, 2] },
  { name: 'b', shape: [1, 3, 2] },
  { name: 'w', shape: [2, 2] },
];
const stackedData = [
  { values: wave(6, 1), shape: [1, 3, 2] },
  { values: wave(6, 2), shape: [1, 3, 2] },
  { values: wave(4, 3), shape: [2, 2] },
];

test('slices of a stacked product lower to one product per block, with the same values', async () => {
  const split = graphOf(stackedSpecs, stackedRows, [5, 6]);
  expect(opCounts(split)).toMatchObject({ MatMul: 2, Transpose: 1 });
  expect(opCounts(split).Concat).toBeUndefined();
  expect(opCounts(split).Slice).toBeUndefined();
  const [a, b] = await expectMatchesReference(split, stackedData);
  // bit for bit what the stacked product gives (kept stacked by a whole use)
  const stacked = graphOf(stackedSpecs, [...stackedRows, ['neg', [4], {}, [1, 6, 2]]], [5, 6]);
  expect(opCounts(stacked)).toMatchObject({ MatMul: 1, Concat: 1, Slice: 2 });
  expect(await runOnnx(stacked, stackedData)).toEqual([a, b]);
});

test('a stacked product used whole, or sliced across blocks, keeps its stacked form', async () => {
  type Row = (typeof stackedRows)[number];
  const acrossBlocks: Row = ['slice', [4], { begin: [0, 2, 0], size: [1, 3, 2] }, [1, 3, 2]];
  const cases: { rows: Row[]; outputs: number[]; slices: number }[] = [
    // used whole
    {
      rows: [...stackedRows, ['neg', [4], {}, [1, 6, 2]]],
      outputs: [5, 6, 7],
      slices: 2,
    },
    // one slice across the blocks
    { rows: [...stackedRows.slice(0, 2), acrossBlocks], outputs: [5], slices: 1 },
    // a block slice beside it: alone it would cost a second product next to the stacked one
    { rows: [...stackedRows.slice(0, 3), acrossBlocks], outputs: [5, 6], slices: 2 },
    // a column slice
    {
      rows: [
        ...stackedRows.slice(0, 2),
        ['slice', [4], { begin: [0, 0, 1], size: [1, 3, 1] }, [1, 3, 1]],
      ],
      outputs: [5],
      slices: 1,
    },
  ];
  for (const { rows, outputs, slices } of cases) {
    const g = graphOf(stackedSpecs, rows, outputs);
    expect(opCounts(g)).toMatchObject({ MatMul: 1, Concat: 1, Slice: slices });
    await expectMatchesReference(g, stackedData);
  }
});

test('a matrix in several transposed products is transposed once', async () => {
  const g = graphOf(
    [
      { name: 'x', shape: [3, 2] },
      { name: 'w', shape: [2, 2] },
    ],
    [
      ['matmul', [0, 1], { transposeA: false, transposeB: true }, [3, 2]], // 2
      ['tanh', [2], {}, [3, 2]], // 3
      ['matmul', [3, 1], { transposeA: false, transposeB: true }, [3, 2]], // 4
      ['matmul', [1, 0], { transposeA: false, transposeB: true }, [2, 3]], // 5
    ],
    [4, 5],
  );
  // w^T once for both products that use it, x^T once
  expect(opCounts(g)).toMatchObject({ MatMul: 3, Transpose: 2 });
  await expectMatchesReference(g, [
    { values: wave(6, 1), shape: [3, 2] },
    { values: wave(4, 2), shape: [2, 2] },
  ]);
});
