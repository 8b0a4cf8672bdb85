import { sizeOf } from '@sublora/tensor';
import { run } from '../fd.test-utils';
import * as ops from '../ops';
import { paramsKey } from './builder';
import { spec, trace } from './trace';
import { useCounts } from './types';

/** Data long enough that its params key holds a content hash, not JSON. */
const data = (seed: number) => Array.from({ length: 4096 }, (_, i) => Math.sin(seed + i));

describe('Builder hash-consing', () => {
  test('constants with equal data are one node, also as distinct arrays; different data are two', () => {
    const g = trace([spec('x', [4096])], (x) => {
      const a = ops.mul(x, ops.constant(data(1), [4096]));
      const b = ops.mul(x, ops.constant(data(1), [4096])); // a fresh array, equal entries
      const c = ops.mul(x, ops.constant(data(2), [4096]));
      return [a, b, c];
    });
    const constants = g.nodes.filter((n) => n.op === 'constant');
    expect(constants).toHaveLength(2);
    expect(g.outputs[0]).toBe(g.outputs[1]);
    expect(g.outputs[2]).not.toBe(g.outputs[0]);
    expect(constants.every((n) => sizeOf(n.shape) === 4096)).toBe(true);
  });

  test('a constant differing in one bit, or only in the sign of a zero, is another node', () => {
    const base = data(3);
    const signed = [...base];
    signed[0] = 0;
    const negZero = [...signed];
    negZero[0] = -0;
    const lastBit = [...base];
    lastBit[4095] = base[4095] + Number.EPSILON * Math.abs(base[4095]);
    const g = trace([spec('x', [4096])], (x) =>
      [base, signed, negZero, lastBit].map((d) => ops.mul(x, ops.constant(d, [4096]))),
    );
    expect(new Set(g.outputs).size).toBe(4);
  });

  test('-0 and 0 are different constants and fills, short or long', async () => {
    const long = (v: number) => new Array<number>(300).fill(v);
    const g = trace([spec('x', [2])], (x) => [
      ops.div(x, ops.constant([0, 0], [2])),
      ops.div(x, ops.constant([-0, -0], [2])),
      ops.div(x, ops.constant(0, [2])),
      ops.div(x, ops.constant(-0, [2])),
      ops.sum(ops.constant(long(0), [300])),
      ops.sum(ops.constant(long(-0), [300])),
    ]);
    expect(new Set(g.outputs).size).toBe(6);
    const [a, b, c, d] = await run(g, [[1, 1]]);
    expect([a[0], b[0], c[0], d[0]]).toEqual([Infinity, -Infinity, Infinity, -Infinity]);
  });

  test('Infinity, -Infinity and NaN params are different keys (plain JSON writes each as null)', async () => {
    const g = trace([spec('x', [2])], (x) => [ops.add(x, Infinity), ops.add(x, -Infinity)]);
    expect(new Set(g.outputs).size).toBe(2);
    const [up, down] = await run(g, [[1, 2]]);
    expect([...up, ...down]).toEqual([Infinity, Infinity, -Infinity, -Infinity]);
    // a NaN fill is not taken for an earlier infinite one: its shape rule still rejects it
    expect(() => trace([spec('x', [2])], (x) => [ops.add(x, Infinity), ops.add(x, NaN)])).toThrow(
      /NaN/,
    );
    const keys = [Infinity, -Infinity, NaN, 0, -0].map((value) => paramsKey({ value }));
    expect(new Set(keys).size).toBe(5);
  });

  test('a long params key and a short one never collide', () => {
    const g = trace([spec('x', [1])], (x) => [
      ops.add(x, ops.constant([1], [1])),
      ops.add(x, ops.constant([2], [1])),
      ops.add(x, ops.constant([1], [1])),
    ]);
    expect(g.outputs[0]).toBe(g.outputs[2]);
    expect(g.outputs[0]).not.toBe(g.outputs[1]);
  });
});

test('constant copies typed or plain data into a plain array and names a non-finite entry', () => {
  const typed = Float64Array.from(data(4));
  const g = trace([spec('x', [4096])], (x) => ops.mul(x, ops.constant(typed, [4096])));
  const node = g.nodes.find((n) => n.op === 'constant');
  const stored = node?.params.data as number[];
  expect(Array.isArray(stored)).toBe(true);
  expect(stored).toEqual(Array.from(typed));
  typed[7] = 0.5; // the graph keeps its own copy
  expect(stored[7]).toBe(Math.sin(4 + 7));
  for (const bad of [NaN, Infinity, -Infinity]) {
    const d = [0, 1, bad];
    expect(() => trace([spec('x', [3])], (x) => ops.mul(x, ops.constant(d, [3])))).toThrow(
      `entry 2 is ${bad}; constants must be finite`,
    );
  }
});

test('useCounts counts every operand slot and every output entry', () => {
  const g = trace([spec('x', [2])], (x) => {
    const y = ops.mul(x, x);
    return [ops.add(y, ops.tanh(x)), y, y];
  });
  const x = 0;
  const y = g.nodes.findIndex((n) => n.op === 'mul');
  const t = g.nodes.findIndex((n) => n.op === 'tanh');
  const sum = g.nodes.findIndex((n) => n.op === 'add');
  const uses = useCounts(g);
  // x: twice by the product, once by tanh; y: once by the sum, twice as an output
  expect([uses[x], uses[y], uses[t], uses[sum]]).toEqual([3, 3, 1, 1]);
});
