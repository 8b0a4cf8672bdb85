/** Hash-consing stays correct when two different constants' hashes collide (forced here). */
import * as ops from '../ops';
import { spec, trace } from './trace';

jest.mock('./content-hash', () => ({
  ...jest.requireActual<typeof import('./content-hash')>('./content-hash'),
  hashFloat64s: () => '0'.repeat(32),
}));

test('constants whose keys collide stay two nodes; equal ones still merge', () => {
  const a = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  const b = Array.from({ length: 1000 }, (_, i) => Math.cos(i));
  const g = trace([spec('x', [1000])], (x) => [
    ops.mul(x, ops.constant(a, [1000])),
    ops.mul(x, ops.constant(b, [1000])),
    ops.mul(x, ops.constant([...a], [1000])),
  ]);
  expect(g.nodes.filter((n) => n.op === 'constant')).toHaveLength(2);
  expect(g.outputs[0]).not.toBe(g.outputs[1]);
  expect(g.outputs[2]).toBe(g.outputs[0]);
  const data = (id: number) => g.nodes[g.nodes[id].inputs[1]].params.data;
  expect(data(g.outputs[1])).toEqual(b);
});
