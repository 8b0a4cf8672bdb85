/**
 * The session key covers every entry of a constant even when the params keys
 * collide (forced here: `paramsKey`'s content hash is not collision-resistant).
 */
import type { Graph } from '@sublora/autodiff';
import { createOnnxruntimeBackend, graphKey } from './index';

jest.mock('@sublora/autodiff', () => ({
  ...jest.requireActual<typeof import('@sublora/autodiff')>('@sublora/autodiff'),
  paramsKey: () => 'colliding',
}));

/** `y = x * c` for a constant `c` of 300 entries. */
function scaled(c: number[]): Graph {
  return {
    inputs: [{ name: 'x', shape: [300], dtype: 'float64' }],
    nodes: [
      {
        id: 0,
        op: 'input',
        inputs: [],
        params: { index: 0, name: 'x' },
        shape: [300],
        dtype: 'float64',
      },
      {
        id: 1,
        op: 'constant',
        inputs: [],
        params: { data: c, shape: [300], dtype: 'float64' },
        shape: [300],
        dtype: 'float64',
      },
      { id: 2, op: 'mul', inputs: [0, 1], params: {}, shape: [300], dtype: 'float64' },
    ],
    outputs: [2],
  };
}

test('graphs whose constants differ get different keys and sessions', async () => {
  const a = Array.from({ length: 300 }, (_, i) => Math.sin(i));
  const b = [...a];
  b[299] += 1;
  expect(graphKey(scaled(a), 'float64')).not.toBe(graphKey(scaled(b), 'float64'));
  expect(graphKey(scaled([...a]), 'float64')).toBe(graphKey(scaled(a), 'float64'));
  const be = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
  const x = () => be.fromArray(new Float64Array(300).fill(1), [300], 'float64');
  const [ya] = await be.readMany(await be.executeGraph(scaled(a), [x()]));
  const [yb] = await be.readMany(await be.executeGraph(scaled(b), [x()]));
  expect(ya[299]).toBe(a[299]);
  expect(yb[299]).toBe(b[299]);
  expect(be.describe().sessions.compiles).toBe(2);
});
