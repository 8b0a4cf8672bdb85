/**
 * The packed GEMM's two kernels (WebAssembly SIMD and scalar JavaScript)
 * give bit-identical products, and the SIMD one falls back to the scalar one
 * where WebAssembly is missing.
 */
import fc from 'fast-check';
import { randomData } from '../../test-utils/naive.test-utils';
import { gemm, gemmKernel, KC, NC, SIMD_MC, useGemmKernel, type StridedMatrix } from './matmul';

afterAll(() => useGemmKernel('wasm-simd'));

/** `op(A) op(B)` through `gemm` with the given kernel; operands stored transposed when asked. */
function product(
  kernel: 'wasm-simd' | 'scalar',
  a: Float64Array | Float32Array,
  b: Float64Array | Float32Array,
  [m, n, k]: readonly [number, number, number],
  transposeA: boolean,
  transposeB: boolean,
  offset: number,
): Float64Array {
  expect(useGemmKernel(kernel)).toBe(kernel);
  const am: StridedMatrix = {
    data: a,
    offset,
    rowStride: transposeA ? 1 : k,
    colStride: transposeA ? m : 1,
  };
  const bm: StridedMatrix = {
    data: b,
    offset,
    rowStride: transposeB ? 1 : n,
    colStride: transposeB ? k : 1,
  };
  const c = Float64Array.from(randomData(7, m * n)); // C += A B: start from non-zero C
  gemm(m, n, k, am, bm, c, 0);
  return c;
}

/** The first entry where two products differ in any bit (NaNs equal), or -1. */
function firstDifference(x: Float64Array, y: Float64Array): number {
  const xb = new BigUint64Array(x.buffer, x.byteOffset, x.length);
  const yb = new BigUint64Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < x.length; i++) {
    if (xb[i] !== yb[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return i;
  }
  return -1;
}

describe('packed GEMM kernels', () => {
  it('WebAssembly SIMD is available on this Node and is the default', () => {
    expect(useGemmKernel('wasm-simd')).toBe('wasm-simd');
    expect(gemmKernel()).toBe('wasm-simd');
  });

  it('SIMD and scalar give bit-identical products for random shapes, strides and dtypes', () => {
    const dim = fc.integer({ min: 1, max: 70 });
    fc.assert(
      fc.property(
        dim,
        dim,
        fc.integer({ min: 8, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        (m, n, k, transposeA, transposeB, float32, offset, seed) => {
          const array = float32 ? Float32Array : Float64Array;
          const a = array.from(randomData(seed, offset + m * k, 1e3));
          const b = array.from(randomData(seed + 1, offset + k * n, 1e-3));
          const shape = [m, n, k] as const;
          const simd = product('wasm-simd', a, b, shape, transposeA, transposeB, offset);
          const scalar = product('scalar', a, b, shape, transposeA, transposeB, offset);
          expect(firstDifference(simd, scalar)).toBe(-1);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('stay bit-identical across every block edge (SIMD_MC, KC, NC) and on non-finite entries', () => {
    const cases: [number, number, number][] = [
      [SIMD_MC + 3, 37, 2 * KC + 5],
      [2 * SIMD_MC, NC + 6, KC + 1],
      [9, NC + 1, 17],
    ];
    for (const [m, n, k] of cases) {
      const a = Float64Array.from(randomData(m, m * k));
      const b = Float64Array.from(randomData(n, k * n));
      a[3] = Infinity;
      a[m * k - 1] = -0;
      b[5] = NaN;
      b[k * n - 2] = -Infinity;
      const shape = [m, n, k] as const;
      const simd = product('wasm-simd', a, b, shape, false, false, 0);
      const scalar = product('scalar', a, b, shape, false, false, 0);
      expect(firstDifference(simd, scalar)).toBe(-1);
    }
  });

  it('falls back to the scalar kernel where WebAssembly is missing', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly');
    delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('./matmul') as typeof import('./matmul');
        expect(fresh.gemmKernel()).toBe('scalar');
        const [m, n, k] = [20, 12, 30];
        const a = Float64Array.from(randomData(1, m * k)),
          b = Float64Array.from(randomData(2, k * n));
        const c = Float64Array.from(randomData(7, m * n));
        fresh.gemm(
          m,
          n,
          k,
          { data: a, offset: 0, rowStride: k, colStride: 1 },
          { data: b, offset: 0, rowStride: n, colStride: 1 },
          c,
          0,
        );
        const scalar = product('scalar', a, b, [m, n, k], false, false, 0);
        expect(firstDifference(c, scalar)).toBe(-1);
      });
    } finally {
      if (saved) Object.defineProperty(globalThis, 'WebAssembly', saved);
    }
  });
});
