import { type Value, evaluateToArrays, grad, mul, spec, sum, trace } from '@sublora/autodiff';
import { identity, matrix, orthogonalityError } from '@sublora/linalg';
import { type ParamValues, bindValues, initMlp, mlpForward, paramSpecs } from '@sublora/nn';
import { createRandom, referenceBackend } from '@sublora/tensor';
import {
  createGeoloraState,
  geoloraLayers,
  geoloraNames,
  initGeolora,
  resolveGeoloraConfig,
} from './index';

const mlp = { inputDim: 2, width: 5, depth: 3 };
const config = { layers: [1, 2], rmax: 3 };
const N = 3;
const xIn = Float64Array.from({ length: N * 2 }, (_, i) => Math.cos(i + 0.5));

describe('GeoLoRA layers', () => {
  it('start with orthonormal U, V, S = 0, rank ceil(rmax / 2) and zero storage beyond it', () => {
    const state = initGeolora(mlp, config, createRandom(1));
    expect(state.ranks).toEqual([2, 2]);
    for (const l of config.layers) {
      const n = geoloraNames(l);
      for (const name of [n.u, n.v]) {
        const p = state.params[name];
        expect(p.shape).toEqual([5, 3]);
        const lead = matrix(
          5,
          2,
          Array.from({ length: 10 }, (_, k) => p.data[Math.floor(k / 2) * 3 + (k % 2)]),
        );
        expect(orthogonalityError(lead)).toBeLessThan(1e-14);
        for (let i = 0; i < 5; i++) expect(p.data[i * 3 + 2]).toBe(0);
      }
      expect(state.params[n.s].shape).toEqual([3, 3]);
      expect(state.params[n.s].data.every((x) => x === 0)).toBe(true);
    }
  });

  it('have gradients w.r.t. U, S and V that match central differences (float64)', async () => {
    const rng = createRandom(2);
    const state = initGeolora(mlp, config, rng);
    // a full, nonzero S in the leading 2 x 2 block (the rest stays 0)
    for (const l of config.layers) {
      const s = state.params[geoloraNames(l).s].data;
      for (const k of [0, 1, 3, 4]) s[k] = rng.normal();
    }
    const params: ParamValues = { ...initMlp(mlp, rng), ...state.params };
    const names = Object.keys(params);
    const loss = trace([...paramSpecs(params), spec('x', [N, 2])], (...args) => {
      const out = mlpForward(
        geoloraLayers(mlp, config, bindValues(names, args)),
        args[names.length],
      );
      return sum(mul(out, out) as Value);
    });
    const inputs = (over: Record<string, Float64Array>) => [
      ...names.map((k) => over[k] ?? params[k].data),
      xIn,
    ];
    const f = async (over: Record<string, Float64Array>) =>
      ((await evaluateToArrays(loss, referenceBackend, inputs(over))) as Float64Array[])[0][0];
    const n = geoloraNames(2);
    const wrt = [n.u, n.s, n.v].map((k) => names.indexOf(k));
    // one backward pass gives all three
    const gs = (await evaluateToArrays(
      grad(loss, { wrt }),
      referenceBackend,
      inputs({}),
    )) as Float64Array[];
    const h = 1e-6;
    for (const [j, name] of [n.u, n.s, n.v].entries()) {
      for (let i = 0; i < params[name].data.length; i++) {
        const plus = Float64Array.from(params[name].data);
        const minus = Float64Array.from(params[name].data);
        plus[i] += h;
        minus[i] -= h;
        const fd = ((await f({ [name]: plus })) - (await f({ [name]: minus }))) / (2 * h);
        expect(Math.abs(gs[j][i] - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('refuse bad settings with one line naming the key', () => {
    const rng = createRandom(0);
    const bad = (extra: object) => () => initGeolora(mlp, { ...config, ...extra }, rng);
    expect(bad({ tau: 0 })).toThrow(/^geolora\.tau: 0 is not a number in \(0, 1\)$/);
    expect(bad({ tau: 1 })).toThrow(/^geolora\.tau: 1 is not a number in \(0, 1\)$/);
    expect(bad({ tau: -0.5 })).toThrow(/^geolora\.tau: -0\.5 is not/);
    expect(bad({ tau: Number.NaN })).toThrow(/^geolora\.tau: NaN is not/);
    expect(bad({ rmax: 0 })).toThrow(/^geolora\.rmax: 0 is not an integer >= 1$/);
    expect(bad({ rmax: 6 })).toThrow(/^geolora\.rmax: 6 exceeds layer 1's 5 x 5; use at most 5$/);
    expect(bad({ rank: 4 })).toThrow(/^geolora\.rank: 4 is not an integer in \[1, rmax = 3\]$/);
    expect(bad({ truncation: 'budget-magnitude' })).toThrow(
      /^geolora\.budget: is required with truncation 'budget-magnitude' \(an integer in \[1, 6\]\)$/,
    );
    expect(bad({ truncation: 'budget-magnitude', budget: 7 })).toThrow(
      /^geolora\.budget: 7 exceeds the total rmax 6 \(2 layers x 3\); use at most 6$/,
    );
    expect(bad({ truncation: 'budget-magnitude', budget: 0 })).toThrow(
      /^geolora\.budget: 0 is not an integer >= 1$/,
    );
    expect(bad({ truncation: 'budget-foo', budget: 2 })).toThrow(
      /^geolora\.truncation: 'budget-foo' is not one of tau, budget-magnitude, .*budget-exact$/,
    );
    expect(bad({ rule: 'code' })).toThrow(/^geolora\.rule: 'code' is not 'paper' or 'authors'$/);
    expect(bad({ optimizer: 'sgd' })).toThrow(
      /^geolora\.optimizer: 'sgd' is not 'plain' or 'adam'$/,
    );
    expect(bad({ augmentEvery: 0 })).toThrow(/^geolora\.augmentEvery: 0 is not an integer >= 1$/);
    expect(bad({ layers: [7] })).toThrow(
      /^geolora\.layers: layer 7 does not exist \(the MLP has layers 0\.\.3\)$/,
    );
    for (const make of [bad({ tau: 0 }), bad({ rmax: 0 })])
      expect(() => make()).toThrow(expect.objectContaining({ name: 'InputError' }));
  });

  it('refuse starting bases that are not orthonormal', () => {
    const u = matrix(4, 2, [1, 0, 0, 1, 0, 0, 0, 0.5]);
    expect(() =>
      createGeoloraState({ layers: [0], rmax: 2 }, [{ u, s: matrix(2, 2), v: identity(4, 2) }]),
    ).toThrow(/^factors: layer 0's u is not orthonormal \(.*\); orthonormalise it \(QR\)$/);
  });

  it('refuse non-finite singular values and layer sizes that do not match the layers', () => {
    for (const bad of [Number.NaN, Infinity]) {
      const s = matrix(2, 2, [1, 0, 0, bad]);
      expect(() =>
        createGeoloraState({ layers: [0], rmax: 2 }, [{ u: identity(4, 2), s, v: identity(4, 2) }]),
      ).toThrow(
        new RegExp(
          `^factors: layer 0's s entry \\(1, 1\\) is ${bad}; pass finite singular values$`,
        ),
      );
    }
    expect(() => resolveGeoloraConfig({ layers: [1, 2], rmax: 2 }, [[4, 4]])).toThrow(
      /^sizes: 1 layer sizes given for 2 adapted layers; pass one \[out, in\] per layer$/,
    );
  });
});
