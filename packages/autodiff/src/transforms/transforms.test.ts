/** Layout and composition of the transformations; errors for bad arguments. */
import { fdDirectional, fdGradient, randoms, relError, run } from '../fd.test-utils';
import { call, spec, trace } from '../ir/trace';
import * as ops from '../ops';
import { hessian, hvp, jacobian } from './hessian';
import { jvp } from './jvp';
import { grad, valueAndGrad, vjp } from './vjp';

const f = trace([spec('a', [3]), spec('b', [2, 3]), spec('unused', [2])], (a, b) =>
  ops.sum(ops.mul(ops.exp(ops.mul(b, a)), ops.cos(a))),
);
const xs = [randoms(1, 3), randoms(2, 6), randoms(3, 2)];

test('grad and valueAndGrad w.r.t. several inputs; an unused input gets exact zeros', async () => {
  const [ga, gb, gu] = await run(grad(f, { wrt: [0, 1, 2] }), xs);
  expect(relError(ga, await fdGradient(f, xs, 0))).toBeLessThan(1e-8);
  expect(relError(gb, await fdGradient(f, xs, 1))).toBeLessThan(1e-8);
  expect(gu).toEqual([0, 0]);
  const [value, ga2] = await run(valueAndGrad(f, { wrt: 0 }), xs);
  expect(value).toEqual((await run(f, xs))[0]);
  expect(ga2).toEqual(ga);
});

test('vjp takes one cotangent per output and returns outputs then input cotangents', async () => {
  const g = trace([spec('x', [2])], (x) => [ops.sin(x), ops.sum(ops.square(x))]);
  const V = vjp(g, { wrt: 0 });
  expect(V.inputs.map((s) => s.name)).toEqual(['x', 'ct0', 'ct1']);
  const [, , ct] = await run(V, [[0.3, -0.4], [1, 2], [3]]);
  expect(
    relError(ct, [Math.cos(0.3) + 3 * 2 * 0.3, 2 * Math.cos(-0.4) + 3 * 2 * -0.4]),
  ).toBeLessThan(1e-14);
});

test('jvp of jvp (second order forward) and grad of grad (second order reverse) agree with hessian', async () => {
  const g = trace([spec('x', [3])], (x) => ops.sum(ops.mul(ops.tanh(x), ops.sin(ops.sum(x)))));
  const x = randoms(4, 3),
    v = randoms(5, 3);
  const [H] = await run(hessian(g, { wrt: 0 }), [x]);
  const Hv = H.reduce<number[]>(
    (acc, h, q) => ((acc[Math.floor(q / 3)] += h * v[q % 3]), acc),
    [0, 0, 0],
  );
  // forward over forward: d/dt of (grad . v) along v gives v^T H v
  const dir = trace([spec('x', [3]), spec('v', [3])], (x, vv) =>
    ops.sum(ops.mul(call(grad(g, { wrt: 0 }), x)[0], vv)),
  );
  const [vHv] = (await run(jvp(dir, { wrt: 0 }), [x, v, v]))[1];
  expect(Math.abs(vHv - Hv.reduce((s, h, i) => s + h * v[i], 0))).toBeLessThan(1e-12);
  // reverse over reverse
  const gg = grad(
    trace([spec('x', [3]), spec('v', [3])], (xx, vv) =>
      ops.sum(ops.mul(call(grad(g, { wrt: 0 }), xx)[0], vv)),
    ),
    { wrt: 0 },
  );
  expect(relError((await run(gg, [x, v]))[0], Hv)).toBeLessThan(1e-12);
  expect(relError((await run(hvp(g, { wrt: 0 }), [x, v]))[0], Hv)).toBeLessThan(1e-12);
});

test('jacobian has shape [...out, ...in] and matches finite differences', async () => {
  const g = trace([spec('x', [2, 2])], (x) => ops.matmul(ops.tanh(x), x));
  const J = jacobian(g, { wrt: 0 });
  expect(J.nodes[J.outputs[0]].shape).toEqual([2, 2, 2, 2]);
  const x = randoms(6, 4);
  const [j] = await run(J, [x]);
  for (let c = 0; c < 4; c++) {
    const e = [0, 0, 0, 0];
    e[c] = 1;
    const fd = await fdDirectional(g, [x], 0, e);
    expect(
      relError(
        [0, 1, 2, 3].map((q) => j[q * 4 + c]),
        fd,
      ),
    ).toBeLessThan(1e-8);
  }
});

test('hessian of a non-vector input has shape [...s, ...s]', async () => {
  const g = trace([spec('x', [2, 2])], (x) => ops.sum(ops.pow(ops.add(x, 2), 3)));
  const [h] = await run(hessian(g, { wrt: 0, chunk: 3 }), [[0, 1, 2, 3]]);
  const want = new Array<number>(16).fill(0);
  [0, 1, 2, 3].forEach((v, i) => (want[i * 4 + i] = 6 * (v + 2)));
  expect(h).toEqual(want);
});

test('bad arguments get one-line errors naming the op and the shapes', () => {
  const g = trace([spec('x', [3])], (x) => ops.sin(x));
  expect(() => grad(g, { wrt: 0 })).toThrow(
    'grad: the first output must be a scalar, got shape [3]; reduce it with sum or mean',
  );
  expect(() => grad(f, { wrt: 5 })).toThrow(
    /grad: wrt 5 is not an input index; the graph has inputs 0:a, 1:b, 2:unused/,
  );
  expect(() => trace([spec('a', [3, 4]), spec('b', [5, 2])], (a, b) => ops.matmul(a, b))).toThrow(
    'matmul: inner dimensions differ: [3,4] x [5,2] (4 != 5)',
  );
  expect(() => trace([spec('a', [3]), spec('b', [4])], (a, b) => ops.add(a, b))).toThrow(
    /add: shapes do not broadcast: \[3\] and \[4\]/,
  );
  expect(() => trace([spec('a', [3]), spec('b', [3], 'float32')], (a, b) => ops.mul(a, b))).toThrow(
    'mul: dtypes differ: [3] float64 and [3] float32; cast one with cast()',
  );
  expect(() => ops.constant(1)).toThrow(
    'constant: called outside trace(); build graphs inside trace(inputs, fn)',
  );
  expect(() => hessian(f, { wrt: 0, chunk: 0 })).toThrow(/chunk 0 must be a positive integer/);
});
