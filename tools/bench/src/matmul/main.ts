/**
 * Matmul throughput of the reference backend: float64 and float32 square
 * products, the PINN-sized 1280x1000 @ 1000x1000 layer product, transposed
 * operands (handled by packing), the shapes of autodiff's Hessian at w=256
 * (a thin LoRA product and a Gram product of flattened tangents), and the
 * naive triple loop for comparison. The packed GEMM's two kernels
 * (WebAssembly SIMD, the default, and scalar JavaScript) are timed in the
 * same run on the products large enough to use them, and the SIMD kernel on
 * every available CPU (`referenceKernels.useGemmThreads`) on the big ones.
 *
 * Run: `npm run bench:matmul -w @sublora/bench` (after building) or
 * `node tools/bench/dist/matmul/main.js [--out FILE] [--quick]`.
 * Writes `tools/bench/results/matmul.json`.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  referenceBackend,
  referenceKernels,
  type DType,
  type MatmulOptions,
} from '@sublora/tensor';
import {
  parseFlags,
  resultPath,
  timeIt,
  useReferenceThreads,
  writeResults,
  type Timing,
} from '../harness';

/** One measured product. */
interface MatmulCase {
  readonly name: string;
  readonly dtype: DType;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** The packed GEMM's kernel in use (`naive` for the triple loop). */
  readonly kernel: referenceKernels.GemmKernel | 'naive';
  /** Threads that shared the product. */
  readonly threads: number;
  readonly timing: Timing;
  /** 2mnk / median time. */
  readonly gflops: number;
  /** 2mnk / fastest time (least disturbed by other load on a shared machine). */
  readonly gflopsBest: number;
}

/** Deterministic values in [-1, 1) (xorshift32), so runs are comparable. */
function randomValues(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

function gflops(m: number, k: number, n: number, ms: number): number {
  return (2 * m * k * n) / (ms * 1e6);
}

/** Times `referenceBackend.matmul` on fresh random operands with the given packed-GEMM kernel. */
async function timeBackend(
  name: string,
  dtype: DType,
  m: number,
  k: number,
  n: number,
  options: MatmulOptions = {},
  kernel: referenceKernels.GemmKernel = 'wasm-simd',
  threads = 1,
): Promise<MatmulCase> {
  const B = referenceBackend;
  const used = referenceKernels.useGemmKernel(kernel);
  const usedThreads = useReferenceThreads(threads);
  const transposeA = options.transposeA ?? false,
    transposeB = options.transposeB ?? false;
  const a = B.fromArray(randomValues(m * k, 1), transposeA ? [k, m] : [m, k], dtype);
  const b = B.fromArray(randomValues(k * n, 2), transposeB ? [n, k] : [k, n], dtype);
  const big = m * k * n >= 256 ** 3;
  const timing = await timeIt(() => B.dispose(B.matmul(a, b, options)), {
    warmup: big ? 1 : 3,
    minRepeats: 5,
    minTotalMs: big ? 0 : 300,
  });
  return {
    name,
    dtype,
    m,
    k,
    n,
    transposeA,
    transposeB,
    kernel: used,
    threads: usedThreads,
    timing,
    gflops: gflops(m, k, n, timing.medianMs),
    gflopsBest: gflops(m, k, n, timing.minMs),
  };
}

/** The textbook i-j-p triple loop on Float64Arrays (strided reads of B). */
function naiveMatmul(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
}

async function timeNaive(size: number): Promise<MatmulCase> {
  const a = randomValues(size * size, 1),
    b = randomValues(size * size, 2),
    c = new Float64Array(size * size);
  const timing = await timeIt(() => naiveMatmul(a, b, c, size, size, size), {
    warmup: 1,
    minRepeats: 3,
    minTotalMs: 0,
  });
  return {
    name: `naive triple loop ${size}`,
    dtype: 'float64',
    m: size,
    k: size,
    n: size,
    transposeA: false,
    transposeB: false,
    kernel: 'naive',
    threads: 1,
    timing,
    gflops: gflops(size, size, size, timing.medianMs),
    gflopsBest: gflops(size, size, size, timing.minMs),
  };
}

async function main(): Promise<void> {
  const flags = parseFlags({ switches: ['--quick'], values: [] });
  const path = resultPath('matmul', flags);
  const quick = flags.switches.has('--quick');
  // 1-minute load average before and after: the machines are shared, so read the numbers with it.
  const loadBefore = loadavg()[0];
  const sizes = quick ? [64, 256] : [64, 256, 512, 1024];
  const cases: MatmulCase[] = [];
  const report = (c: MatmulCase) => {
    cases.push(c);
    console.log(
      `${c.name.padEnd(36)} ${c.dtype.padEnd(8)} ${c.kernel.padEnd(9)} ${String(c.threads).padStart(2)} thr  median ${c.timing.medianMs.toFixed(2).padStart(9)} ms  ${c.gflops.toFixed(2).padStart(6)} GFLOP/s (best ${c.gflopsBest.toFixed(2)})`,
    );
  };
  // Before any float32 product: a kernel that has seen both array types runs slower after.
  // A tangent times a LoRA factor (thin: n <= 32) and a Gram product (dot products).
  const thin = 'thin 4096x256 @ 256x16';
  report(await timeBackend(thin, 'float64', 4096, 256, 16));
  const L = quick ? 65536 : 262144;
  report(
    await timeBackend(`Gram [2, ${L}] x [2, ${L}]^T`, 'float64', 2, L, 2, { transposeB: true }),
  );
  const layer = 'PINN layer 1280x1000 @ 1000x1000';
  const squaresAndLayer = async (dtype: DType) => {
    for (const s of sizes) report(await timeBackend(`square ${s}`, dtype, s, s, s));
    if (!quick) report(await timeBackend(layer, dtype, 1280, 1000, 1000));
  };
  await squaresAndLayer('float64');
  // The scalar kernel on the same products (still before float32), for the SIMD kernel's speed-up.
  report(await timeBackend(thin, 'float64', 4096, 256, 16, {}, 'scalar'));
  report(await timeBackend('square 256', 'float64', 256, 256, 256, {}, 'scalar'));
  if (!quick) report(await timeBackend(layer, 'float64', 1280, 1000, 1000, {}, 'scalar'));
  // Every CPU on the big products (products under PARALLEL_MIN_WORK stay on one thread).
  const cpus = availableParallelism();
  if (cpus > 1) {
    for (const s of sizes.filter((x) => x >= 256))
      report(await timeBackend(`square ${s}`, 'float64', s, s, s, {}, 'wasm-simd', cpus));
    if (!quick)
      report(await timeBackend(layer, 'float64', 1280, 1000, 1000, {}, 'wasm-simd', cpus));
    useReferenceThreads(1);
  }
  await squaresAndLayer('float32');
  // Time ratios between two cases of the same float64 product in this run.
  const speedup = (
    label: string,
    names: readonly string[],
    slow: (c: MatmulCase) => boolean,
    fast: (c: MatmulCase) => boolean,
  ) =>
    Object.fromEntries(
      names.flatMap((name) => {
        const of = (pick: (c: MatmulCase) => boolean) =>
          cases.find((c) => c.name === name && c.dtype === 'float64' && pick(c));
        const [a, b] = [of(slow), of(fast)];
        if (!a || !b) return [];
        const ratio = {
          median: a.timing.medianMs / b.timing.medianMs,
          best: a.timing.minMs / b.timing.minMs,
        };
        console.log(
          `${label}, ${name} float64: ${ratio.median.toFixed(1)}x median, ${ratio.best.toFixed(1)}x best`,
        );
        return [[name, ratio]];
      }),
    );
  const simdSpeedup = speedup(
    'wasm-simd over scalar',
    [thin, 'square 256', layer],
    (c) => c.kernel === 'scalar',
    (c) => c.kernel === 'wasm-simd' && c.threads === 1,
  );
  const threadSpeedup = speedup(
    `${cpus} threads over 1`,
    [...sizes.map((x) => `square ${x}`), layer],
    (c) => c.kernel === 'wasm-simd' && c.threads === 1,
    (c) => c.kernel === 'wasm-simd' && c.threads > 1,
  );
  const t = quick ? 256 : 512;
  report(await timeBackend(`square ${t} transposeA`, 'float64', t, t, t, { transposeA: true }));
  report(await timeBackend(`square ${t} transposeB`, 'float64', t, t, t, { transposeB: true }));
  // The naive loop and the backend at 256, timed back to back so both see the same machine load.
  const naive = await timeNaive(256);
  const blocked = await timeBackend('square 256 (paired with naive)', 'float64', 256, 256, 256);
  report(naive);
  report(blocked);
  const speedupOverNaive256 = {
    median: naive.timing.medianMs / blocked.timing.medianMs,
    best: naive.timing.minMs / blocked.timing.minMs,
  };
  console.log(
    `speedup over the naive triple loop at 256 (float64): ${speedupOverNaive256.median.toFixed(1)}x median, ${speedupOverNaive256.best.toFixed(1)}x best`,
  );
  const loadAverage = { before: loadBefore, after: loadavg()[0] };
  console.log(
    `1-minute load average: ${loadAverage.before.toFixed(1)} before, ${loadAverage.after.toFixed(1)} after`,
  );
  writeResults(path, 'matmul', {
    backend: 'reference',
    quick,
    loadAverage,
    speedupOverNaive256,
    simdSpeedup,
    threadSpeedup,
    cases,
  });
  console.log(`wrote ${path}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
