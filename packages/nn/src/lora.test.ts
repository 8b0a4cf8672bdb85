import {
  type Value,
  evaluateToArrays,
  grad,
  hessian,
  mul,
  spec,
  sum,
  trace,
} from '@sublora/autodiff';
import { createRandom, referenceBackend } from '@sublora/tensor';
import fc from 'fast-check';
import {
  SIGMA,
  applyKeepMask,
  hiddenToHidden,
  initLora,
  loraLayers,
  loraNames,
  mergeLora,
  orthogonalityPenalty,
  sigmaRange,
} from './lora';
import { denseLayers, initMlp, mlpForward } from './mlp';
import { type ParamValues, bindValues, paramSpecs } from './params';

const shape = { inputDim: 2, width: 6, depth: 3 };
const lora = { layers: hiddenToHidden(shape), rank: 3 };
const N = 4;
const sumSquares = (v: Value): Value => sum(mul(v, v));
const x = Float64Array.from({ length: N * 2 }, (_, i) => Math.sin(i + 1));

function forwardGraph(params: ParamValues, adapted: boolean) {
  const names = Object.keys(params);
  return trace([...paramSpecs(params), spec('x', [N, 2])], (...args) => {
    const values = bindValues(names, args);
    return mlpForward(
      adapted ? loraLayers(shape, lora, values) : denseLayers(shape, values),
      args[names.length],
    );
  });
}

async function run(params: ParamValues, adapted: boolean): Promise<Float64Array> {
  const [out] = await evaluateToArrays(forwardGraph(params, adapted), referenceBackend, [
    ...Object.values(params).map((p) => p.data),
    x,
  ]);
  return out as Float64Array;
}

function withSigma(base: ParamValues, adapter: ParamValues, sigma: number[]): ParamValues {
  return {
    ...base,
    ...adapter,
    [SIGMA]: { shape: [sigma.length], data: Float64Array.from(sigma) },
  };
}

describe('LoRA-SVD layers', () => {
  const base = initMlp(shape, createRandom(1));
  const adapter = initLora(shape, lora, createRandom(2), 0.3);

  it('adapts the hidden-to-hidden layers with sigma = 0 at initialisation', async () => {
    expect(lora.layers).toEqual([1, 2]);
    expect(Object.keys(adapter)).toEqual(['lora.U1', 'lora.V1', 'lora.U2', 'lora.V2', SIGMA]);
    expect(adapter['lora.U1'].shape).toEqual([6, 3]);
    expect(adapter['lora.V2'].shape).toEqual([3, 6]);
    expect(Array.from(adapter[SIGMA].data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(sigmaRange(lora, 2)).toEqual({ start: 3, end: 6 });
    // sigma = 0: the adapted network is exactly the pretrained one.
    expect(Array.from(await run({ ...base, ...adapter }, true))).toEqual(
      Array.from(await run(base, false)),
    );
  });

  it('merges into W0 for deployment with the same function, honouring the keep mask', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        async (sigma, keepBits) => {
          const keep = keepBits.map(Number);
          const params = withSigma(base, adapter, sigma);
          const pruned = withSigma(base, adapter, sigma);
          applyKeepMask(pruned, keep);
          const merged = mergeLora(base, params, lora, keep);
          const a = await run(pruned, true);
          const b = await run(merged, false);
          return a.every((v, i) => Math.abs(v - b[i]) < 1e-12);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('has gradient and Hessian w.r.t. sigma that match finite differences', async () => {
    const params = withSigma(base, adapter, [0.5, -0.2, 0.1, 0.3, 0.05, -0.4]);
    const names = Object.keys(params);
    const sigmaIndex = names.indexOf(SIGMA);
    const scalar = trace([...paramSpecs(params), spec('x', [N, 2])], (...args) =>
      sumSquares(mlpForward(loraLayers(shape, lora, bindValues(names, args)), args[names.length])),
    );
    const inputs = (sigma: Float64Array) => [
      ...names.map((n) => (n === SIGMA ? sigma : params[n].data)),
      x,
    ];
    const [g] = (await evaluateToArrays(
      grad(scalar, { wrt: sigmaIndex }),
      referenceBackend,
      inputs(params[SIGMA].data),
    )) as Float64Array[];
    const [H] = (await evaluateToArrays(
      hessian(scalar, { wrt: sigmaIndex }),
      referenceBackend,
      inputs(params[SIGMA].data),
    )) as Float64Array[];
    const f = async (s: Float64Array) =>
      ((await evaluateToArrays(scalar, referenceBackend, inputs(s))) as Float64Array[])[0][0];
    const h = 1e-5;
    for (let i = 0; i < 6; i++) {
      const plus = Float64Array.from(params[SIGMA].data);
      const minus = Float64Array.from(params[SIGMA].data);
      plus[i] += h;
      minus[i] -= h;
      expect(Math.abs(g[i] - ((await f(plus)) - (await f(minus))) / (2 * h))).toBeLessThan(1e-7);
      const [gp] = (await evaluateToArrays(
        grad(scalar, { wrt: sigmaIndex }),
        referenceBackend,
        inputs(plus),
      )) as Float64Array[];
      const [gm] = (await evaluateToArrays(
        grad(scalar, { wrt: sigmaIndex }),
        referenceBackend,
        inputs(minus),
      )) as Float64Array[];
      for (let j = 0; j < 6; j++)
        expect(Math.abs(H[i * 6 + j] - (gp[j] - gm[j]) / (2 * h))).toBeLessThan(1e-6);
    }
  });

  it('computes the orthogonality penalty ||U^T U - I||^2 + ||V V^T - I||^2', async () => {
    const { u, v } = loraNames(1);
    const U = adapter[u];
    const V = adapter[v];
    const g = trace([spec('U', U.shape), spec('V', V.shape)], (a, b) => orthogonalityPenalty(a, b));
    const [value] = (await evaluateToArrays(g, referenceBackend, [
      U.data,
      V.data,
    ])) as Float64Array[];
    let expected = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let uu = 0;
        for (let k = 0; k < 6; k++) uu += U.data[k * 3 + i] * U.data[k * 3 + j];
        let vv = 0;
        for (let k = 0; k < 6; k++) vv += V.data[i * 6 + k] * V.data[j * 6 + k];
        expected += (uu - (i === j ? 1 : 0)) ** 2 + (vv - (i === j ? 1 : 0)) ** 2;
      }
    }
    expect(value[0]).toBeCloseTo(expected, 12);
  });

  it('rejects a keep mask of the wrong length', () => {
    expect(() => applyKeepMask({ ...adapter }, [1, 0])).toThrow(
      /keep: has 2 entries but lora.sigma has 6/,
    );
  });
});
