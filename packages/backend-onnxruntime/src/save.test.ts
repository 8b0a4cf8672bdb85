import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import {
  ONNX_IR_VERSION,
  ONNX_OPSET,
  OnnxGraphBuilder,
  createOnnxruntimeBackend,
  int64ToNumber,
  loadOnnx,
  loadOnnxFile,
  modelSignature,
  saveOnnx,
  saveOnnxFile,
  type OnnxruntimeBackend,
} from './index';

let be: OnnxruntimeBackend;
beforeAll(async () => {
  be = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
});

/** A fine-tuned 2 -> 4 -> 1 tanh network on a batch of points; weights are known values. */
function network(points: number[], n: number) {
  const x = be.fromArray(points, [n, 2], 'float64');
  const w1 = be.fromArray([0.3, -0.2, 0.5, 1.1, -0.7, 0.4, 0.9, -0.3], [2, 4], 'float64');
  const b1 = be.fromArray([0.1, 0, -0.1, 0.2], [4], 'float64');
  const w2 = be.fromArray([1, -2, 0.5, 0.25], [4, 1], 'float64');
  const y = be.matmul(be.unary('tanh', be.binary('add', be.matmul(x, w1), b1)), w2);
  return { x, y };
}

test('an exported network saved and reloaded gives identical outputs', async () => {
  const points = [0.1, 0.2, -0.5, 0.4, 0.9, -0.9];
  const { x, y } = network(points, 3);
  const model = be.exportOnnx([y], { inputs: [x], inputNames: ['points'], outputNames: ['u'] });
  const bytes = saveOnnx(model);
  const loaded = loadOnnx(bytes);
  expect(int64ToNumber(loaded.irVersion)).toBe(ONNX_IR_VERSION);
  expect(int64ToNumber(loaded.opsetImport[0].version)).toBe(ONNX_OPSET);
  expect(modelSignature(loaded)).toEqual({
    inputs: [{ name: 'points', type: 'float64', shape: [3, 2] }],
    outputs: [{ name: 'u', type: 'float64', shape: [3, 1] }],
  });
  // Re-encoding the decoded model is byte-identical.
  expect(Buffer.from(saveOnnx(loaded)).equals(Buffer.from(bytes))).toBe(true);

  const direct = await be.read(y);
  const viaBackend = await be.runOnnx(bytes, { points: be.fromArray(points, [3, 2], 'float64') });
  expect(Array.from(await be.read(viaBackend.u))).toEqual(Array.from(direct));
  // A plain onnxruntime session (what a deployment would use) agrees too.
  const session = await InferenceSession.create(bytes);
  const out = await session.run({
    points: new OrtTensor('float64', Float64Array.from(points), [3, 2]),
  });
  expect(Array.from(out.u.data as Float64Array)).toEqual(Array.from(direct));
});

test('saveOnnxFile writes a file loadOnnxFile reads back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublora-onnx-'));
  try {
    const b = new OnnxGraphBuilder('affine');
    const x = b.input('x', 'float32', [2]);
    const scaled = b.node('Mul', [x, b.initializer('float32', [2], [2, 3])]);
    b.output(b.node('Add', [scaled, b.initializer('float32', [], [1])]), 'float32', [2]);
    const path = join(dir, 'affine.onnx');
    saveOnnxFile(path, b);
    expect(readFileSync(path).length).toBeGreaterThan(0);
    const result = await be.runOnnx(loadOnnxFile(path), {
      x: be.fromArray([1, -1], [2], 'float32'),
    });
    expect(Array.from(await be.read(Object.values(result)[0]))).toEqual([3, -2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('builder attributes: INTS, INT, FLOAT and STRING are typed', () => {
  const b = new OnnxGraphBuilder('attrs');
  b.node('Transpose', [b.input('x', 'float64', [2, 3])], { perm: [1, 0] });
  b.node('Softplus', ['x'], { alpha: { float: 0.5 }, note: 'hi', axis: 1 });
  const attrs = loadOnnx(saveOnnx(b)).graph?.node?.[1].attribute ?? [];
  expect(attrs.map((a) => a.name)).toEqual(['alpha', 'note', 'axis']);
  expect(attrs[0].f).toBeCloseTo(0.5);
  expect(new TextDecoder().decode(attrs[1].s ?? new Uint8Array())).toBe('hi');
  expect(int64ToNumber(attrs[2].i)).toBe(1);
  expect(() => b.node('X', [], { bad: 0.5 })).toThrow(/not an integer/);
});

test('loadOnnx rejects bytes that are not a model, in one line', () => {
  expect(() => loadOnnx(new Uint8Array(0))).toThrow(/non-empty Uint8Array/);
  expect(() => loadOnnx(Uint8Array.from([0xff, 0xff, 0xff, 0x0f]))).toThrow(/^onnx bytes: /);
  const truncated = saveOnnx(be.exportOnnx([network([0, 0], 1).y])).slice(0, 40);
  expect(() => loadOnnx(truncated)).toThrow(/onnx bytes/);
});

test('exportOnnx validates names and inputs', () => {
  const { x, y } = network([0, 0], 1);
  expect(() => be.exportOnnx([y], { inputs: [x], inputNames: ['a', 'b'] })).toThrow(
    /2 inputNames for 1 inputs/,
  );
  expect(() =>
    be.exportOnnx([y], { inputs: [x], inputNames: ['same'], outputNames: ['same'] }),
  ).toThrow(/distinct/);
  const unrelated = be.fromArray([1], [1], 'float64');
  expect(() => be.exportOnnx([y], { inputs: [unrelated] })).toThrow(/not used by the outputs$/);
});

test('exporting an output that was already read says why its input is gone', async () => {
  const { x, y } = network([0, 0], 1);
  await be.read(y);
  expect(() => be.exportOnnx([y], { inputs: [x] })).toThrow(/already read.*export before reading/);
});

test('runOnnx names a missing feed', async () => {
  const { x, y } = network([0, 0], 1);
  const bytes = saveOnnx(be.exportOnnx([y], { inputs: [x] }));
  await expect(be.runOnnx(bytes, {})).rejects.toThrow(/missing feed 'input0'/);
});
