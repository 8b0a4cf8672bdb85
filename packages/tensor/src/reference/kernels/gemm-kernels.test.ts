/**
 * The packed GEMM's two kernels (WebAssembly SIMD and scalar JavaScript)
 * give bit-identical products, and the SIMD one falls back to the scalar one
 * where WebAssembly is missing.
 */
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { randomData } from '../../test-utils/naive.test-utils';
import {
  gemmKernel,
  gemmThreads,
  PARALLEL_MIN_WORK,
  SIMD_MC,
  useGemmKernel,
  useGemmThreads,
} from './gemm-engine';
import { gemm, type StridedMatrix } from './matmul';
import { KC, NC } from './matmul-blocking';

afterAll(() => {
  useGemmKernel('wasm-simd');
  useGemmThreads(1);
});

/** Node's way to start a helper thread (`@sublora/backends` exports the same as startNodeGemmWorker). */
const startWorker = (source: string, data: unknown) =>
  new Worker(`(${source})(require('node:worker_threads').workerData)`, {
    eval: true,
    workerData: data,
  });

/** `op(A) op(B)` through `gemm` with the given kernel; operands stored transposed when asked. */
function product(
  kernel: 'wasm-simd' | 'scalar' | 'threads',
  a: Float64Array | Float32Array,
  b: Float64Array | Float32Array,
  [m, n, k]: readonly [number, number, number],
  transposeA: boolean,
  transposeB: boolean,
  offset: number,
): Float64Array {
  expect(useGemmKernel(kernel === 'scalar' ? 'scalar' : 'wasm-simd')).not.toBe(undefined);
  expect(useGemmThreads(kernel === 'threads' ? 2 : 1, startWorker)).toBe(
    kernel === 'threads' ? 2 : 1,
  );
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

/** One random product: sizes, storage (transposed, float32, offset) and the data's seed. */
interface RandomProduct {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly float32: boolean;
  readonly offset: number;
  readonly seed: number;
}

/** Products with m, n in [minDim, maxDim] and depth in [8, maxDepth] (below 8 no kernel runs). */
function products(minDim: number, maxDim: number, maxDepth: number): fc.Arbitrary<RandomProduct> {
  const dim = fc.integer({ min: minDim, max: maxDim });
  return fc.record({
    m: dim,
    n: dim,
    k: fc.integer({ min: 8, max: maxDepth }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    float32: fc.boolean(),
    offset: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer(),
  });
}

/** The product `p` from two engines agrees bit for bit (A's entries large, B's small). */
function expectSameProducts(
  x: 'wasm-simd' | 'scalar' | 'threads',
  y: 'wasm-simd' | 'scalar' | 'threads',
  p: RandomProduct,
): void {
  const array = p.float32 ? Float32Array : Float64Array;
  const a = array.from(randomData(p.seed, p.offset + p.m * p.k, 1e3));
  const b = array.from(randomData(p.seed + 1, p.offset + p.k * p.n, 1e-3));
  const shape = [p.m, p.n, p.k] as const;
  const first = product(x, a, b, shape, p.transposeA, p.transposeB, p.offset);
  const second = product(y, a, b, shape, p.transposeA, p.transposeB, p.offset);
  expect(firstDifference(first, second)).toBe(-1);
}

describe('packed GEMM kernels', () => {
  it('WebAssembly SIMD is available on this Node and is the default', () => {
    expect(useGemmKernel('wasm-simd')).toBe('wasm-simd');
    expect(gemmKernel()).toBe('wasm-simd');
  });

  it('SIMD and scalar give bit-identical products for random shapes, strides and dtypes', () => {
    fc.assert(
      fc.property(products(1, 70, 300), (p) => expectSameProducts('wasm-simd', 'scalar', p)),
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

  it('two threads give bit-identical products to one, on shapes big enough to share', () => {
    fc.assert(
      fc.property(
        products(40, 600, 300).filter((p) => p.m * p.n * p.k >= PARALLEL_MIN_WORK),
        (p) => expectSameProducts('threads', 'wasm-simd', p),
      ),
      { numRuns: 12 },
    );
  });

  it('useGemmThreads refuses bad counts and a missing starter, and 1 stops the helpers', () => {
    for (const bad of [0, 1.5, -2, NaN])
      expect(() => useGemmThreads(bad)).toThrow(
        new RegExp(`^useGemmThreads: threads ${String(bad)} is not a whole number >= 1; [^\n]*$`),
      );
    useGemmThreads(1);
    expect(() => useGemmThreads(2)).toThrow(
      /^useGemmThreads: 2 threads need a worker starter; pass one \(Node: startNodeGemmWorker/,
    );
    expect(() =>
      useGemmThreads(3, () => {
        throw new Error('no threads here');
      }),
    ).toThrow('no threads here');
    expect(gemmThreads()).toBe(1);
    // a helper whose module does not compile answers at once instead of timing out
    const broken = (source: string, data: unknown) =>
      startWorker(
        source.replace(
          'new WebAssembly.Module(bytes)',
          'new WebAssembly.Module(new Uint8Array(1))',
        ),
        data,
      );
    expect(() => useGemmThreads(2, broken)).toThrow(
      /^useGemmThreads: helper 1 of 1 failed to start \(no WebAssembly SIMD or shared memory on its thread\?\)$/,
    );
    expect(gemmThreads()).toBe(1);
    expect(useGemmThreads(2, startWorker)).toBe(2);
    // a refused request leaves the running helpers alone
    expect(() => useGemmThreads(3)).toThrow(/^useGemmThreads: 3 threads need a worker starter/);
    expect(() => useGemmThreads('2' as unknown as number)).toThrow(
      /^useGemmThreads: threads "2" is not a whole number >= 1; give e\.g\. 2$/,
    );
    expect(gemmThreads()).toBe(2);
    expect(useGemmThreads(1)).toBe(1);
    expect(gemmThreads()).toBe(1);
  });

  it('a helper that fails loses that product with a one-line error; later ones run on one thread', () => {
    // the real helper, made to throw in its task (its macro-kernel is not a function)
    const failing = (source: string, data: unknown) =>
      startWorker(source.replace('macro(kc,', 'undefinedKernel(kc,'), data);
    expect(useGemmThreads(2, failing)).toBe(2);
    const [m, n, k] = [600, 64, 64]; // at least PARALLEL_MIN_WORK multiply-adds
    const a = Float64Array.from(randomData(1, m * k)),
      b = Float64Array.from(randomData(2, k * n));
    const strided = (data: Float64Array, cols: number) => ({
      data,
      offset: 0,
      rowStride: cols,
      colStride: 1,
    });
    expect(() => gemm(m, n, k, strided(a, k), strided(b, n), new Float64Array(m * n), 0)).toThrow(
      /^matmul: helper 1 failed on a block; this product is lost, later ones run on one thread \(useGemmThreads to retry\)$/,
    );
    expect(gemmThreads()).toBe(1);
    const c = new Float64Array(m * n);
    gemm(m, n, k, strided(a, k), strided(b, n), c, 0);
    useGemmThreads(1);
    const one = new Float64Array(m * n);
    gemm(m, n, k, strided(a, k), strided(b, n), one, 0);
    expect(firstDifference(c, one)).toBe(-1);
    expect(useGemmThreads(2, startWorker)).toBe(2); // a retry starts fresh helpers
  });

  it('falls back to the scalar kernel where WebAssembly is missing', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly');
    delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('./matmul') as typeof import('./matmul');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const engine = require('./gemm-engine') as typeof import('./gemm-engine');
        expect(engine.gemmKernel()).toBe('scalar');
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
