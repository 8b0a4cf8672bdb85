import fc from 'fast-check';
import { arbQuadraticInstance } from '@sublora/submodularity';
import { referenceBackend as backend } from '@sublora/tensor';
import type { DType } from '@sublora/tensor';
import { projectHessian } from './project';
import { projectHessianOn } from './project-on';

async function onBackend(hessian: number[][], sigma: number[], dtype: DType = 'float64') {
  const n = sigma.length;
  const h = backend.fromArray(hessian.flat(), [n, n], dtype);
  const s = backend.fromArray(sigma, [n], dtype);
  const result = await projectHessianOn(backend, h, s);
  const data = await backend.read(result.projected);
  return { ...result, data };
}

describe('projectHessianOn (reference backend)', () => {
  it('paper toy example', async () => {
    const { data, report, projected } = await onBackend(
      [
        [2, -2],
        [-2, 2],
      ],
      [1, 2.1],
    );
    expect(projected.shape).toEqual([2, 2]);
    expect(Array.from(data)).toEqual([2, 0, 0, 2]);
    expect(report.removedEntries).toBe(2);
    expect(report.removedPairs).toBe(1);
    expect(report.frobeniusDistance).toBeCloseTo(Math.sqrt(8), 14);
  });

  it('agrees with the host projection (float64 exactly, float32 within rounding)', async () => {
    const zeroed = fc.tuple(arbQuadraticInstance({ maxSize: 8 }), fc.nat()).map(([q, z]) => {
      const sigma = q.sigma.slice();
      if (z % 3 === 0) sigma[z % sigma.length] = 0; // the ">= 0" boundary
      return { ...q, sigma };
    });
    await fc.assert(
      fc.asyncProperty(zeroed, async ({ sigma, hessian }) => {
        const host = projectHessian(hessian, sigma);
        const dev = await onBackend(hessian, sigma);
        expect(Array.from(dev.data)).toEqual(Array.from(host.projected.data));
        expect(dev.report.removedEntries).toBe(host.report.removedEntries);
        expect(dev.report.removedPairs).toBe(host.report.removedPairs);
        expect(dev.report.frobeniusDistance).toBeCloseTo(host.report.frobeniusDistance, 12);
        expect(dev.report.relativeFrobeniusDistance).toBeCloseTo(
          host.report.relativeFrobeniusDistance,
          12,
        );

        const f32 = await onBackend(hessian, sigma, 'float32');
        expect(f32.report.removedEntries).toBe(host.report.removedEntries);
        const rounded = Array.from(host.projected.data, Math.fround);
        expect(Array.from(f32.data)).toEqual(rounded);
      }),
      { numRuns: 100 },
    );
  });

  it('reports finite distances where the squares overflow (float64 and float32)', async () => {
    const cases: [DType, number][] = [
      ['float64', 1e200],
      ['float64', 1e300],
      ['float64', 1.2e308], // (H + H^T) / 2 overflows, and 2^k for the largest entry
      ['float32', 1e30],
    ];
    for (const [dtype, big] of cases) {
      const hessian = [
        [1, 0.5 * big, 0.25 * big],
        [0.5 * big, big, -2],
        [0.25 * big, -2, 1],
      ];
      const { report } = await onBackend(hessian, [1, -1, 2], dtype);
      const host = projectHessian(hessian, [1, -1, 2]).report;
      expect(report.removedEntries).toBe(host.removedEntries);
      expect(host.frobeniusDistance / (Math.SQRT2 * 0.5 * big)).toBeCloseTo(1, 14);
      expect(report.frobeniusDistance / host.frobeniusDistance).toBeCloseTo(
        1,
        dtype === 'float64' ? 14 : 6,
      );
      expect(report.relativeFrobeniusDistance).toBeCloseTo(host.relativeFrobeniusDistance, 6);
    }
  });

  it('disposes its intermediates (only the result stays live)', async () => {
    const h = backend.fromArray([1, -1, -1, 1], [2, 2], 'float64');
    const s = backend.fromArray([1, 1], [2], 'float64');
    const { projected } = await projectHessianOn(backend, h, s);
    await expect(backend.read(projected)).resolves.toBeDefined();
    await expect(backend.read(h)).resolves.toBeDefined();
  });

  it('handles r = 0', async () => {
    const { report, projected } = await onBackend([], []);
    expect(projected.shape).toEqual([0, 0]);
    expect(report.removedEntries).toBe(0);
  });

  it('rejects mismatched shapes, dtypes and asymmetric input', async () => {
    const h = backend.fromArray([1, 2, 3, 1], [2, 2], 'float64');
    const s = backend.fromArray([1, 1], [2], 'float64');
    await expect(projectHessianOn(backend, h, s)).rejects.toThrow(
      /^hessian: is not symmetric: max \|H_ij - H_ji\| = 1/,
    );
    // relative below magnitude 1 too (the same matrix times 1e-9), exact symmetry passes
    const small = backend.fromArray([1e-9, 2e-9, 3e-9, 1e-9], [2, 2], 'float64');
    await expect(projectHessianOn(backend, small, s)).rejects.toThrow(
      /^hessian: is not symmetric: max \|H_ij - H_ji\| = 9\.9+e-10/,
    );
    const zeros = backend.fromArray([0, 0, 0, 0], [2, 2], 'float64');
    await expect(projectHessianOn(backend, zeros, s)).resolves.toBeDefined();
    const s3 = backend.fromArray([1, 1, 1], [3], 'float64');
    await expect(projectHessianOn(backend, h, s3)).rejects.toThrow(
      /^hessian: has shape \[2, 2\] but \[3, 3\]/,
    );
    const s32 = backend.fromArray([1, 1], [2], 'float32');
    await expect(projectHessianOn(backend, h, s32)).rejects.toThrow(/^sigma: has dtype float32/);
    const matrixSigma = backend.fromArray([1, 1], [1, 2], 'float64');
    await expect(projectHessianOn(backend, h, matrixSigma)).rejects.toThrow(
      /^sigma: has shape \[1, 2\]/,
    );
  });
});
