import { evaluateToArrays, laplacian, partial, spec, trace } from '@sublora/autodiff';
import { createRandom, referenceBackend } from '@sublora/tensor';
import { denseLayers, initMlp, layerSizes, mlpForward, mlpWithInputDerivatives } from './mlp';
import { bindValues, paramSpecs } from './params';

const shape = { inputDim: 3, width: 7, depth: 3 };
const params = initMlp(shape, createRandom(11));
const names = Object.keys(params);
const N = 5;
const rng = createRandom(5);
const x = Float64Array.from({ length: N * 3 }, () => 2 * rng.uniform() - 1);

const forward = trace([...paramSpecs(params), spec('x', [N, 3])], (...args) =>
  mlpForward(denseLayers(shape, bindValues(names, args)), args[names.length]),
);
const inputs = [...Object.values(params).map((p) => p.data), x];

async function u(points: Float64Array): Promise<Float64Array> {
  const [out] = await evaluateToArrays(forward, referenceBackend, [
    ...Object.values(params).map((p) => p.data),
    points,
  ]);
  return out as Float64Array;
}

/** u at the points moved by +h and by -h along input column k. */
async function shiftedPair(k: number, h: number): Promise<[Float64Array, Float64Array]> {
  const plus = Float64Array.from(x);
  const minus = Float64Array.from(x);
  for (let i = 0; i < N; i++) {
    plus[i * 3 + k] += h;
    minus[i * 3 + k] -= h;
  }
  return [await u(plus), await u(minus)];
}

describe('mlp', () => {
  it('initialises Glorot-normal weights with the right shapes', () => {
    expect(layerSizes(shape)).toEqual([
      [7, 3],
      [7, 7],
      [7, 7],
      [1, 7],
    ]);
    expect(params.W1.shape).toEqual([7, 7]);
    expect(Array.from(params.b2.data)).toEqual(new Array(7).fill(0));
    const big = initMlp({ inputDim: 200, width: 200, depth: 1 }, createRandom(1)).W0.data;
    const variance = big.reduce((a, v) => a + v * v, 0) / big.length;
    expect(variance).toBeCloseTo(2 / 400, 4);
  });

  it('carries first and second input derivatives that match central finite differences', async () => {
    const taylor = trace([...paramSpecs(params), spec('x', [N, 3])], (...args) => {
      const d = mlpWithInputDerivatives(
        denseLayers(shape, bindValues(names, args)),
        args[names.length],
        { first: [0, 2], second: [0, 1, 2] },
      );
      return [
        d.u,
        d.first.get(0)!,
        d.first.get(2)!,
        d.second.get(0)!,
        d.second.get(1)!,
        d.second.get(2)!,
      ];
    });
    const [value, d0, d2, s0, s1, s2] = (await evaluateToArrays(
      taylor,
      referenceBackend,
      inputs,
    )) as Float64Array[];
    expect(Array.from(value)).toEqual(Array.from(await u(x)));
    const h = 1e-4;
    for (const [k, first, second] of [
      [0, d0, s0],
      [1, undefined, s1],
      [2, d2, s2],
    ] as const) {
      const [up, um] = await shiftedPair(k, h);
      const u0 = await u(x);
      for (let i = 0; i < N; i++) {
        if (first) expect(Math.abs(first[i] - (up[i] - um[i]) / (2 * h))).toBeLessThan(1e-8);
        expect(Math.abs(second[i] - (up[i] - 2 * u0[i] + um[i]) / (h * h))).toBeLessThan(1e-5);
      }
    }
  });

  it('agrees with autodiff partial and laplacian', async () => {
    const xIndex = names.length;
    const ux = partial(forward, { wrt: xIndex, dim: 1 });
    const lap = laplacian(forward, { wrt: xIndex, dims: [0, 1] });
    const taylor = trace([...paramSpecs(params), spec('x', [N, 3])], (...args) => {
      const d = mlpWithInputDerivatives(
        denseLayers(shape, bindValues(names, args)),
        args[names.length],
        { first: [1], second: [0, 1] },
      );
      return [d.first.get(1)!, d.second.get(0)!, d.second.get(1)!];
    });
    const [t1, tx, ty] = (await evaluateToArrays(
      taylor,
      referenceBackend,
      inputs,
    )) as Float64Array[];
    const [a1] = (await evaluateToArrays(ux, referenceBackend, inputs)) as Float64Array[];
    const [al] = (await evaluateToArrays(lap, referenceBackend, inputs)) as Float64Array[];
    for (let i = 0; i < N; i++) {
      expect(t1[i]).toBeCloseTo(a1[i], 12);
      expect(tx[i] + ty[i]).toBeCloseTo(al[i], 11);
    }
  });

  it('carries the Laplacian as one stream, equal to the per-column second derivatives summed', async () => {
    const xIndex = names.length;
    const lap = laplacian(forward, { wrt: xIndex, dims: [0, 2] });
    const build = (request: Parameters<typeof mlpWithInputDerivatives>[2]) =>
      trace([...paramSpecs(params), spec('x', [N, 3])], (...args) => {
        const d = mlpWithInputDerivatives(
          denseLayers(shape, bindValues(names, args)),
          args[names.length],
          request,
        );
        return d.laplacian
          ? [d.laplacian, d.first.get(0)!, d.first.get(2)!]
          : [d.second.get(0)!, d.second.get(2)!];
      });
    const forwardLap = build({ laplacian: [2, 0] });
    const [fl, f0, f2] = (await evaluateToArrays(
      forwardLap,
      referenceBackend,
      inputs,
    )) as Float64Array[];
    const [s0, s2] = (await evaluateToArrays(
      build({ second: [0, 2] }),
      referenceBackend,
      inputs,
    )) as Float64Array[];
    const [al] = (await evaluateToArrays(lap, referenceBackend, inputs)) as Float64Array[];
    // second differences of u along x_0 and x_2, summed; the carried first derivatives by central differences
    const h = 1e-4;
    const u0 = await u(x);
    const fd = new Float64Array(N);
    for (const [k, first] of [
      [0, f0],
      [2, f2],
    ] as const) {
      const [up, um] = await shiftedPair(k, h);
      for (let i = 0; i < N; i++) {
        fd[i] += (up[i] - 2 * u0[i] + um[i]) / (h * h);
        expect(Math.abs(first[i] - (up[i] - um[i]) / (2 * h))).toBeLessThan(1e-8);
      }
    }
    for (let i = 0; i < N; i++) {
      expect(fl[i]).toBeCloseTo(s0[i] + s2[i], 13);
      expect(fl[i]).toBeCloseTo(al[i], 12);
      expect(Math.abs(fl[i] - fd[i])).toBeLessThan(1e-5);
    }
    // one row block per layer for the Laplacian: value rows plus 2 first-order and 1 Laplacian block
    const stackedRows = forwardLap.nodes
      .filter((n) => n.op === 'matmul')
      .map((n) => n.shape[0])
      .filter((rows) => rows > N);
    expect(new Set(stackedRows)).toEqual(new Set([3 * N]));
  });

  it('rejects a derivative column outside the input', () => {
    expect(() =>
      trace(
        [...paramSpecs(params), spec('x', [N, 3])],
        (...args) =>
          mlpWithInputDerivatives(denseLayers(shape, bindValues(names, args)), args[names.length], {
            first: [3],
          }).u,
      ),
    ).toThrow(/input column 3 is outside \[0, 3\)/);
  });
});
