/**
 * The SIMD GEMM on several threads: one WebAssembly module instantiated on
 * each thread over one shared memory. The calling thread packs A and B into
 * that memory (as on one thread), then the packed A block's 4-row slivers are
 * split among the threads, each runs the macro-kernel on its slivers into its
 * rows of the C block, and the calling thread adds the C block into C once
 * all have finished. Which thread computes a C entry does not change how it
 * is computed, so products are bit-identical to one thread's.
 *
 * The kernel is synchronous, so the calling thread blocks in `Atomics.wait`
 * until its helpers finish (Node allows that on its main thread; browsers do
 * not, and a browser host would not pass a worker starter). Starting threads
 * is the host's part ({@link StartGemmWorker}): this package does no I/O and
 * imports nothing Node-specific.
 */
import { TensorError } from '../../../errors';
import {
  CHUNK_TILES,
  layoutViews,
  type MacroKernel,
  runTileRange,
  simdGemmModuleBytes,
  type SimdGemm,
  type SimdLayout,
  webAssembly,
} from './gemm-simd';

/** What a helper thread receives (structured-cloneable; the memory and control are shared). */
export interface GemmWorkerData {
  /** The shared `WebAssembly.Memory` holding the packed operands and the C block. */
  readonly memory: unknown;
  /** The module's bytes (importing `env.memory`). */
  readonly bytes: Uint8Array;
  /** Control words: {@link CONTROL_WORDS} `Int32`s per helper. */
  readonly control: SharedArrayBuffer;
  /** This helper's index among the helpers (0-based). */
  readonly index: number;
  readonly layout: SimdLayout;
}

/** A started helper thread: something that can be stopped (Node's `Worker`). */
export interface GemmWorkerHandle {
  terminate(): unknown;
  /** Lets the process exit while the helper waits for work (Node's `Worker.unref`). */
  unref?(): void;
}

/**
 * Starts a helper thread that evaluates `source`, a JavaScript function
 * expression, on `data`: with Node's `worker_threads`,
 * `new Worker('(' + source + ')(require("node:worker_threads").workerData)', { eval: true, workerData: data })`.
 */
export type StartGemmWorker = (source: string, data: GemmWorkerData) => GemmWorkerHandle;

/** Int32 control words per helper: a generation counter, its answer, flags and the task. */
const CONTROL_WORDS = 16;
const GEN = 0,
  DONE = 1,
  READY = 2,
  KC = 3,
  T0 = 4,
  T1 = 5,
  N_TILES = 6,
  LDC = 7,
  FAILED = 8;

/** How long to wait for a helper to start, or to finish one block, before giving up. */
const START_TIMEOUT_MS = 30_000;
const TASK_TIMEOUT_MS = 120_000;

/**
 * A helper's loop, as source (it runs on another thread, so it cannot close
 * over this module): wait for a new generation, run the macro-kernel on the
 * slivers the task names (the loop of {@link runTileRange}), answer. Any
 * exception sets FAILED and answers, so the calling thread never waits on a
 * helper that has stopped (a helper that fails to start answers READY with
 * FAILED set; one that fails later leaves FAILED set and DONE = -1).
 */
export const GEMM_WORKER_SOURCE = `(data) => {
  const { memory, bytes, control, index, layout } = data;
  const ctl = new Int32Array(control, index * ${4 * CONTROL_WORDS}, ${CONTROL_WORDS});
  const answer = (word, value) => {
    Atomics.store(ctl, word, value);
    Atomics.notify(ctl, word);
  };
  try {
    const module = new WebAssembly.Module(bytes);
    const macro = new WebAssembly.Instance(module, { env: { memory } }).exports.macro;
    answer(${READY}, 1);
    let seen = 0;
    for (;;) {
      Atomics.wait(ctl, ${GEN}, seen);
      const gen = Atomics.load(ctl, ${GEN});
      if (gen === seen) continue;
      seen = gen;
      const kc = ctl[${KC}], t1 = ctl[${T1}], nTiles = ctl[${N_TILES}], ldc = ctl[${LDC}];
      for (let t = ctl[${T0}]; t < t1; t += ${CHUNK_TILES}) {
        macro(kc, Math.min(${CHUNK_TILES}, t1 - t), nTiles, layout.aOffset + t * 32 * kc,
          layout.bOffset, layout.cOffset + t * 4 * ldc, ldc);
      }
      answer(${DONE}, gen);
    }
  } catch {
    Atomics.store(ctl, ${FAILED}, 1);
    answer(${READY}, 1);
    answer(${DONE}, -1);
  }
}`;

/** Below this many slivers in a block, the calling thread runs them all (a handoff costs ~0.1 ms). */
const MIN_PARALLEL_TILES = 8;

/**
 * A SIMD GEMM whose blocks are shared by `threads` threads: this one and
 * `threads - 1` helpers started with `start`. Returns `undefined` where
 * WebAssembly SIMD or shared memory is missing; throws a one-line error when
 * a helper does not start.
 */
export function createThreadedSimdGemm(
  layout: SimdLayout,
  blockRows: number,
  threads: number,
  start: StartGemmWorker,
): SimdGemm | undefined {
  const wasm = webAssembly();
  if (!wasm || typeof SharedArrayBuffer !== 'function') return undefined;
  const bytes = simdGemmModuleBytes(layout.bytes, true);
  let memory: { buffer: ArrayBufferLike };
  let macro: MacroKernel;
  try {
    if (!wasm.validate(bytes)) return undefined;
    const pages = layout.bytes / 65536;
    memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    macro = instance.exports.macro as MacroKernel;
  } catch {
    return undefined;
  }
  const helpers = threads - 1;
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS * helpers);
  const words = Array.from(
    { length: helpers },
    (_, i) => new Int32Array(control, 4 * CONTROL_WORDS * i, CONTROL_WORDS),
  );
  const workers: GemmWorkerHandle[] = [];
  const close = () => workers.forEach((w) => void w.terminate());
  try {
    for (let i = 0; i < helpers; i++) {
      const worker = start(GEMM_WORKER_SOURCE, { memory, bytes, control, index: i, layout });
      worker.unref?.();
      workers.push(worker);
    }
    words.forEach((ctl, i) => {
      const started = Atomics.wait(ctl, READY, 0, START_TIMEOUT_MS) !== 'timed-out';
      if (!started || Atomics.load(ctl, FAILED) !== 0)
        throw new TensorError(
          'useGemmThreads',
          started
            ? `helper ${i + 1} of ${helpers} failed to start (no WebAssembly SIMD or shared memory on its thread?)`
            : `helper ${i + 1} of ${helpers} did not start within ${START_TIMEOUT_MS / 1000} s`,
        );
    });
  } catch (e) {
    close();
    throw e;
  }

  const runTiles = (kc: number, tiles: number, nTiles: number, ldcBytes: number): void => {
    if (tiles < MIN_PARALLEL_TILES) {
      runTileRange(macro, layout, kc, 0, tiles, nTiles, ldcBytes);
      return;
    }
    // Thread p takes slivers [bound(p), bound(p + 1)); this thread is p = 0.
    const bound = (p: number) => Math.round((p * tiles) / threads);
    const started: number[] = [];
    for (let i = 0; i < helpers; i++) {
      const ctl = words[i];
      ctl[KC] = kc;
      ctl[T0] = bound(i + 1);
      ctl[T1] = bound(i + 2);
      ctl[N_TILES] = nTiles;
      ctl[LDC] = ldcBytes;
      started.push((Atomics.add(ctl, GEN, 1) + 1) | 0);
      Atomics.notify(ctl, GEN);
    }
    runTileRange(macro, layout, kc, 0, bound(1), nTiles, ldcBytes);
    words.forEach((ctl, i) => {
      for (
        let done = Atomics.load(ctl, DONE);
        done !== started[i] && Atomics.load(ctl, FAILED) === 0;
        done = Atomics.load(ctl, DONE)
      ) {
        if (Atomics.wait(ctl, DONE, done, TASK_TIMEOUT_MS) === 'timed-out')
          fail(`helper ${i + 1} did not finish a block within ${TASK_TIMEOUT_MS / 1000} s`);
      }
      if (Atomics.load(ctl, FAILED) !== 0) fail(`helper ${i + 1} failed on a block`);
    });
  };

  // A helper that fails or hangs leaves the C block incomplete: the product
  // throws and the helpers stop; `threads` reads 1 from then on, and the
  // engine runs later products on its one-thread kernel, away from this
  // shared memory (a helper may still be running until it is terminated).
  let failed = false;
  const fail = (why: string): never => {
    failed = true;
    close();
    throw new TensorError(
      'matmul',
      `${why}; this product is lost, later ones run on one thread (useGemmThreads to retry)`,
    );
  };

  return {
    layout,
    blockRows,
    get threads() {
      return failed ? 1 : threads;
    },
    ...layoutViews(memory.buffer, layout),
    runTiles,
    close,
  };
}
