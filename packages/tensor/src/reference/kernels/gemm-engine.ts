/**
 * Which engine runs the packed GEMM ({@link ./matmul}) in this process: the
 * WebAssembly SIMD kernel (default) or the scalar one, on one thread or
 * several. Every choice gives bit-identical products; the choice is speed.
 */
import { TensorError } from '../../errors';
import { KC, NC } from './matmul-blocking';
import { createSimdGemm, simdLayout, type SimdGemm } from './wasm/gemm-simd';
import { createThreadedSimdGemm, type StartGemmWorker } from './wasm/gemm-threads';

/** The packed path's kernels: `wasm-simd` (WebAssembly `f64x2`) or `scalar` (JavaScript). */
export type GemmKernel = 'wasm-simd' | 'scalar';

/** Rows of one packed A block for the SIMD kernel on one thread (a multiple of its 4-row tile). */
export const SIMD_MC = 128;
/** Rows of one packed A block shared by several threads: 256 x 256 float64 = 512 KiB, C block 4 MiB (two of each). */
const THREADED_MC = 256;
/** Below this many multiply-adds a product stays on one thread (a handoff costs about 0.1 ms). */
export const PARALLEL_MIN_WORK = 1 << 21;

let preferred: GemmKernel = 'wasm-simd';
// One-thread SIMD kernel and its memory (6.25 MiB), created on first use.
let single: SimdGemm | undefined;
let singleState: 'untried' | 'ready' | 'unavailable' = 'untried';
// The kernel shared by several threads (memory 13 MiB), while useGemmThreads asks for it.
let threaded: SimdGemm | undefined;

function singleKernel(): SimdGemm | undefined {
  if (singleState === 'untried') {
    single = createSimdGemm(simdLayout(SIMD_MC, KC, NC), SIMD_MC);
    singleState = single ? 'ready' : 'unavailable';
  }
  return single;
}

/**
 * The SIMD kernel for a product of `work` multiply-adds (threaded when it is
 * big enough and threads are on), or `undefined` for the scalar kernel.
 */
export function simdKernel(work: number): SimdGemm | undefined {
  if (preferred !== 'wasm-simd') return undefined;
  // after a helper failed (threads back to 1) its shared memory is left alone
  return threaded && threaded.threads > 1 && work >= PARALLEL_MIN_WORK ? threaded : singleKernel();
}

/**
 * Chooses the packed GEMM's kernel for later products in this process and
 * returns the one now in use: `wasm-simd` (the default) falls back to
 * `scalar` where WebAssembly SIMD is unavailable. Both give bit-identical
 * results; the choice exists for benchmarks and for hosts that forbid
 * compiling WebAssembly at run time.
 */
export function useGemmKernel(kernel: GemmKernel): GemmKernel {
  preferred = kernel;
  return gemmKernel();
}

/** The packed GEMM's kernel that products use now (see {@link useGemmKernel}). */
export function gemmKernel(): GemmKernel {
  return simdKernel(0) ? 'wasm-simd' : 'scalar';
}

/**
 * Shares the SIMD kernel's big products (at least {@link PARALLEL_MIN_WORK}
 * multiply-adds) among `threads` threads: this one and `threads - 1` helpers
 * that `startWorker` starts (the host's part; `@sublora/backends` has one for
 * Node). `threads = 1` stops the helpers. Returns the threads now used: 1
 * where WebAssembly SIMD or shared memory is missing. Throws a one-line
 * {@link TensorError} for a count that is not a whole number >= 1, or more
 * than one thread without a starter.
 */
export function useGemmThreads(threads: number, startWorker?: StartGemmWorker): number {
  if (!Number.isInteger(threads) || threads < 1)
    throw new TensorError(
      'useGemmThreads',
      `threads ${typeof threads === 'number' ? String(threads) : JSON.stringify(threads)} is not a whole number >= 1; give e.g. 2`,
    );
  if (threads === gemmThreads()) return threads;
  if (threads > 1 && !startWorker)
    throw new TensorError(
      'useGemmThreads',
      `${threads} threads need a worker starter; pass one (Node: startNodeGemmWorker from @sublora/backends)`,
    );
  threaded?.close();
  threaded = undefined;
  if (!startWorker || threads === 1) return 1;
  threaded = createThreadedSimdGemm(
    simdLayout(THREADED_MC, KC, NC, 2),
    THREADED_MC,
    threads,
    startWorker,
  );
  return gemmThreads();
}

/** Threads that share the SIMD kernel's big products now (see {@link useGemmThreads}). */
export function gemmThreads(): number {
  return threaded?.threads ?? 1;
}
