import { evaluateToArrays } from '@sublora/autodiff';
import { initMlp, type ParamValues } from '@sublora/nn';
import { createRandom, referenceBackend } from '@sublora/tensor';
import { buildLossGraphs, buildPredictor } from './model';
import { PDES, numberAlgebra, type Fields } from './pdes';

// The interior residual the training graph builds (Taylor-mode derivatives,
// the Laplacian as one forward stream) against the same operator applied to
// central and second differences of the plain network, in float64.
describe('buildLossGraphs: interior residual', () => {
  const N = 4;
  const h = 1e-4;

  it.each(Object.values(PDES).map((def) => [def.name, def] as const))(
    '%s: mean squared residual matches finite differences of the network',
    async (_name, def) => {
      const dim = def.inputDim;
      const shape = { inputDim: dim, width: 6, depth: 3 };
      const rng = createRandom(7);
      const params: ParamValues = initMlp(shape, rng);
      // nonzero biases, so no derivative vanishes by symmetry
      for (const [name, p] of Object.entries(params))
        if (name.startsWith('b')) p.data.forEach((_, i) => (p.data[i] = 0.3 * rng.normal()));
      const points = Float64Array.from({ length: N * dim }, (_, i) =>
        i % dim === 2 ? 0.2 + 0.6 * rng.uniform() : 0.6 * rng.uniform() - 0.3,
      );
      const source = Float64Array.from({ length: N }, () => rng.normal());
      const graphs = buildLossGraphs(
        def,
        { interior: { data: points, count: N, dim }, source, terms: [] },
        { shape },
        params,
        ['b0'],
        { muB: 1, orthogonality: 0 },
      );
      const paramData = Object.values(params).map((p) => p.data);
      const [, interior] = (await evaluateToArrays(graphs.loss, referenceBackend, [
        ...paramData,
        ...graphs.data,
      ])) as Float64Array[];

      const predictor = buildPredictor({ shape }, params, N, dim);
      const u = async (shift: number[]) => {
        const moved = Float64Array.from(points, (v, i) => v + shift[i % dim]);
        const [out] = await evaluateToArrays(predictor, referenceBackend, [...paramData, moved]);
        return out as Float64Array;
      };
      const unit = (k: number, s: number) =>
        Array.from({ length: dim }, (_, j) => (j === k ? s : 0));
      const u0 = await u(unit(0, 0));
      const first: Float64Array[] = [];
      const second: Float64Array[] = [];
      for (let k = 0; k < dim; k++) {
        const [up, um] = [await u(unit(k, h)), await u(unit(k, -h))];
        first.push(up.map((v, i) => (v - um[i]) / (2 * h)));
        second.push(up.map((v, i) => (v - 2 * u0[i] + um[i]) / (h * h)));
      }
      let sum = 0;
      for (let i = 0; i < N; i++) {
        const fields: Fields<number> = {
          x: points[i * dim],
          y: points[i * dim + 1],
          ...(dim === 3 ? { t: points[i * dim + 2], ut: first[2][i], utt: second[2][i] } : {}),
          u: u0[i],
          ux: first[0][i],
          uy: first[1][i],
          lap: second[0][i] + second[1][i],
        };
        const residual = def.operator(numberAlgebra, fields) - source[i];
        sum += residual * residual;
      }
      const expected = sum / N;
      expect(Math.abs(interior[0] - expected)).toBeLessThan(1e-5 * (1 + expected));
    },
  );
});
