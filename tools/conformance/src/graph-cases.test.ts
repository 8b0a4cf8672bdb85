import { createRandom, referenceBackend } from '@sublora/tensor';
import { GRAPH_CASES } from './graph-cases';

// The graph cases are only as good as their graphs: check the gradient and the
// Hessian against central finite differences of the loss, in float64.
describe('graph cases compute the derivatives they claim', () => {
  const be = referenceBackend;
  const rng = createRandom(7);
  const [lossCase, gradCase, hessCase] = GRAPH_CASES.map((c) => c.setup(rng));
  const inputs = lossCase.inputs.map((x) => Float64Array.from(x.data));
  const theta = inputs[0];
  const P = theta.length;

  const run = async (instance: typeof lossCase, th: Float64Array) => {
    const xs = [th, inputs[1], inputs[2]].map((d, i) =>
      be.fromArray(d, instance.inputs[i].shape, 'float64'),
    );
    const outs = await instance.compute(be, xs, 'float64', (t) => t);
    const arrays = [];
    for (const o of Array.isArray(outs) ? outs : [outs]) arrays.push(await be.read(o));
    return arrays;
  };
  const shifted = (i: number, h: number) => {
    const t = Float64Array.from(theta);
    t[i] += h;
    return t;
  };

  it('gradient = central differences of the loss', async () => {
    const [loss, g] = await run(gradCase, theta);
    expect(loss[0]).toBeCloseTo((await run(lossCase, theta))[0][0], 14);
    const h = 1e-6;
    for (let i = 0; i < P; i++) {
      const fd =
        ((await run(lossCase, shifted(i, h)))[0][0] - (await run(lossCase, shifted(i, -h)))[0][0]) /
        (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
    }
  });

  it('Hessian = central differences of the gradient, and symmetric', async () => {
    const [H] = await run(hessCase, theta);
    const h = 1e-5;
    for (let i = 0; i < P; i++) {
      const plus = (await run(gradCase, shifted(i, h)))[1];
      const minus = (await run(gradCase, shifted(i, -h)))[1];
      for (let j = 0; j < P; j++) {
        const fd = (plus[j] - minus[j]) / (2 * h);
        expect(Math.abs(H[i * P + j] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
        expect(H[i * P + j]).toBeCloseTo(H[j * P + i], 10);
      }
    }
  });
});
