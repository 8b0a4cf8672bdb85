import { matmul, matrix, orthogonalityError, svd, transpose } from '@sublora/linalg';
import { SIGMA, initLora, loraNames } from '@sublora/nn';
import { createRandom } from '@sublora/tensor';
import { loraDiagnostics } from './lora-svd';

describe('loraDiagnostics', () => {
  it('matches the stable rank and orthogonality of the dense update U diag(sigma) V', () => {
    const mlp = { inputDim: 2, width: 7, depth: 3 };
    const lora = { layers: [1, 2], rank: 3 };
    const rng = createRandom(4);
    const params = initLora(mlp, lora, rng, 0.5);
    expect(loraDiagnostics(lora, params).stableRank).toEqual([0, 0]);
    params[SIGMA].data.set([1.5, -0.7, 0.2, 0.9, 0.9, 0.1]);
    const got = loraDiagnostics(lora, params);
    lora.layers.forEach((l, i) => {
      const { u, v } = loraNames(l);
      const U = matrix(7, 3, params[u].data);
      const V = matrix(3, 7, params[v].data);
      const scaled = matrix(
        7,
        3,
        U.data.map((x, k) => x * params[SIGMA].data[3 * i + (k % 3)]),
      );
      const s = svd(matmul(scaled, V)).s;
      const dense = s.reduce((a, x) => a + x * x, 0) / (s[0] * s[0]);
      expect(got.stableRank[i]).toBeCloseTo(dense, 10);
      expect(got.orthogonality[i]).toBe(
        Math.max(orthogonalityError(U), orthogonalityError(transpose(V))),
      );
    });
  });
});
