import fc from 'fast-check';
import { frobeniusNorm, matrix, svd, symmetricEigenvalues } from './index';

/** Random symmetric `n x n` matrices `(b + b^T) / 2` with entries in [-1e3, 1e3]. */
const arbSymmetric = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc
    .array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n * n, maxLength: n * n })
    .map((d) => {
      const a = matrix(n, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) a.data[i * n + j] = (d[i * n + j] + d[j * n + i]) / 2;
      return a;
    }),
);

describe('symmetricEigenvalues', () => {
  it('sorts ascending; trace and Frobenius norm match; |eigenvalues| are the singular values', () => {
    fc.assert(
      fc.property(arbSymmetric, (a) => {
        const n = a.rows;
        const lambda = symmetricEigenvalues(a);
        const scale = Math.max(1, frobeniusNorm(a));
        for (let i = 1; i < n; i++) expect(lambda[i]).toBeGreaterThanOrEqual(lambda[i - 1]);
        let trace = 0;
        for (let i = 0; i < n; i++) trace += a.data[i * n + i];
        expect(Math.abs(lambda.reduce((s, x) => s + x, 0) - trace)).toBeLessThan(1e-10 * scale);
        const sumSq = lambda.reduce((s, x) => s + x * x, 0);
        expect(Math.abs(Math.sqrt(sumSq) - frobeniusNorm(a))).toBeLessThan(1e-10 * scale);
        const fromSvd = Array.from(svd(a).s).sort((x, y) => x - y);
        const magnitudes = Array.from(lambda, Math.abs).sort((x, y) => x - y);
        magnitudes.forEach((m, i) => expect(Math.abs(m - fromSvd[i])).toBeLessThan(1e-10 * scale));
      }),
    );
  });

  it('finds negative eigenvalues of an indefinite matrix', () => {
    const lambda = symmetricEigenvalues(matrix(2, 2, [0, 2, 2, 0]));
    expect(lambda[0]).toBeCloseTo(-2, 14);
    expect(lambda[1]).toBeCloseTo(2, 14);
  });

  it('refuses non-square and non-finite input with one line', () => {
    expect(() => symmetricEigenvalues(matrix(2, 3))).toThrow(/must be square, got 2 x 3/);
    expect(() => symmetricEigenvalues(matrix(1, 1, [Number.NaN]))).toThrow(RangeError);
  });
});
