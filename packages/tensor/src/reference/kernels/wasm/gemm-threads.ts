/**
 * The SIMD GEMM on several threads: one WebAssembly module instantiated on
 * each thread over one shared memory. The calling thread packs the B panel
 * and each A block into that memory, the block's 4-row slivers are claimed
 * in chunks by every thread (an atomic counter: whoever is free takes the
 * next chunk), and the calling thread adds each finished C block into C.
 * With two A and two C buffers it packs block s + 1 before joining in on
 * block s, and adds block s while the helpers already compute block s + 1,
 * so packing and the C update overlap the arithmetic. Which thread computes
 * a C entry does not change how it is computed, so products are
 * bit-identical to one thread's.
 *
 * The kernel is synchronous, so the calling thread blocks in `Atomics.wait`
 * until its helpers finish (Node allows that on its main thread; browsers do
 * not, and a browser host would not pass a worker starter). Starting threads
 * is the host's part ({@link StartGemmWorker}): this package does no I/O and
 * imports nothing Node-specific.
 */
import { TensorError } from '../../../errors';
import {
  type BlockBuffers,
  blockBuffers,
  CHUNK_TILES,
  instantiateSimdGemm,
  layoutViews,
  runTileRange,
  type PanelWork,
  type SimdGemm,
  type SimdLayout,
} from './gemm-simd';

/** What a helper thread receives (structured-cloneable; the memory and control are shared). */
export interface GemmWorkerData {
  /** The shared `WebAssembly.Memory` holding the packed operands and the C block. */
  readonly memory: unknown;
  /** The module's bytes (importing `env.memory`). */
  readonly bytes: Uint8Array;
  /** Control words: the current block's task, then {@link CONTROL_WORDS} `Int32`s per helper. */
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

/**
 * Int32 control words. The task (shared by all): a generation counter, the
 * block's geometry and buffers, and the next unclaimed chunk of slivers.
 * Then, per helper: its answer (the generation it finished), a ready flag
 * and a failure flag.
 */
const CONTROL_WORDS = 16;
const GEN = 0,
  KC = 1,
  TILES = 2,
  N_TILES = 3,
  LDC = 4,
  A_OFFSET = 5,
  C_OFFSET = 6,
  NEXT = 7;
const DONE = 0,
  READY = 1,
  FAILED = 2;

/** How long to wait for a helper to start, or to finish one block, before giving up. */
const START_TIMEOUT_MS = 30_000;
const TASK_TIMEOUT_MS = 120_000;

/**
 * A helper's loop, as source (it runs on another thread, so it cannot close
 * over this module): wait for a new generation, claim chunks of the block's
 * slivers until none is left (the loop of {@link runTileRange}), answer. Any
 * exception sets FAILED and answers, so the calling thread never waits on a
 * helper that has stopped (a helper that fails to start answers READY with
 * FAILED set; one that fails later leaves FAILED set and DONE = -1).
 */
export const GEMM_WORKER_SOURCE = `(data) => {
  const { memory, bytes, control, index, layout } = data;
  const task = new Int32Array(control, 0, ${CONTROL_WORDS});
  const own = new Int32Array(control, (index + 1) * ${4 * CONTROL_WORDS}, ${CONTROL_WORDS});
  const answer = (word, value) => {
    Atomics.store(own, word, value);
    Atomics.notify(own, word);
  };
  try {
    const module = new WebAssembly.Module(bytes);
    const macro = new WebAssembly.Instance(module, { env: { memory } }).exports.macro;
    answer(${READY}, 1);
    let seen = 0;
    for (;;) {
      Atomics.wait(task, ${GEN}, seen);
      const gen = Atomics.load(task, ${GEN});
      if (gen === seen) continue;
      seen = gen;
      const kc = task[${KC}], tiles = task[${TILES}], nTiles = task[${N_TILES}], ldc = task[${LDC}];
      const a = task[${A_OFFSET}], c = task[${C_OFFSET}];
      for (;;) {
        const t = Atomics.add(task, ${NEXT}, 1) * ${CHUNK_TILES};
        if (t >= tiles) break;
        macro(kc, Math.min(${CHUNK_TILES}, tiles - t), nTiles, a + t * 32 * kc,
          layout.bOffset, c + t * 4 * ldc, ldc);
      }
      answer(${DONE}, gen);
    }
  } catch {
    Atomics.store(own, ${FAILED}, 1);
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
  const instance = instantiateSimdGemm(layout, true);
  if (!instance) return undefined;
  const { macro, memory, bytes } = instance;
  const helpers = threads - 1;
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS * (helpers + 1));
  const task = new Int32Array(control, 0, CONTROL_WORDS);
  const words = Array.from(
    { length: helpers },
    (_, i) => new Int32Array(control, 4 * CONTROL_WORDS * (i + 1), CONTROL_WORDS),
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

  const views = layoutViews(memory.buffer, layout);
  const buffers = [blockBuffers(layout, 0), blockBuffers(layout, 1)];

  /** Hands block `at` (its A block packed) to the helpers; returns the generation, or `undefined` when too small to share. */
  const dispatch = (work: PanelWork, at: BlockBuffers, tiles: number): number | undefined => {
    if (tiles < MIN_PARALLEL_TILES) return undefined;
    task[KC] = work.kc;
    task[TILES] = tiles;
    task[N_TILES] = work.nTiles;
    task[LDC] = work.ldcBytes;
    task[A_OFFSET] = at.a;
    task[C_OFFSET] = at.c;
    Atomics.store(task, NEXT, 0);
    const gen = (Atomics.add(task, GEN, 1) + 1) | 0; // as the Int32 word wraps
    Atomics.notify(task, GEN);
    return gen;
  };

  /** Claims chunks of the dispatched block with the helpers, then waits until each has answered `gen`. */
  const join = (
    work: PanelWork,
    at: BlockBuffers,
    tiles: number,
    gen: number | undefined,
  ): void => {
    if (gen === undefined) {
      runTileRange(macro, at, work.kc, 0, tiles, work.nTiles, work.ldcBytes);
      return;
    }
    for (;;) {
      const t = Atomics.add(task, NEXT, 1) * CHUNK_TILES;
      if (t >= tiles) break;
      runTileRange(
        macro,
        at,
        work.kc,
        t,
        Math.min(t + CHUNK_TILES, tiles),
        work.nTiles,
        work.ldcBytes,
      );
    }
    words.forEach((ctl, i) => {
      for (
        let done = Atomics.load(ctl, DONE);
        done !== gen && Atomics.load(ctl, FAILED) === 0;
        done = Atomics.load(ctl, DONE)
      ) {
        if (Atomics.wait(ctl, DONE, done, TASK_TIMEOUT_MS) === 'timed-out')
          fail(`helper ${i + 1} did not finish a block within ${TASK_TIMEOUT_MS / 1000} s`);
      }
      if (Atomics.load(ctl, FAILED) !== 0) fail(`helper ${i + 1} failed on a block`);
    });
  };

  // Block s uses buffers s % 2: while the helpers compute block s, this
  // thread packs block s + 1 into the other A buffer, then joins in on
  // block s; it adds C block s after handing block s + 1 to the helpers.
  const runPanel = (work: PanelWork): void => {
    let tiles = work.pack(0, views.a[0]);
    let gen = dispatch(work, buffers[0], tiles);
    for (let s = 0; s < work.blocks; s++) {
      const cur = s & 1;
      const more = s + 1 < work.blocks;
      const nextTiles = more ? work.pack(s + 1, views.a[cur ^ 1]) : 0;
      join(work, buffers[cur], tiles, gen);
      if (more) {
        tiles = nextTiles;
        gen = dispatch(work, buffers[cur ^ 1], tiles);
      }
      work.add(s, views.c[cur]);
    }
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
    b: views.b,
    runPanel,
    close,
  };
}
