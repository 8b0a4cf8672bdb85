/**
 * How many intra-op threads a session runs with. onnxruntime's own default
 * counts physical cores, and on the 2-vCPU VMs this project is measured on
 * it finds one; but a second thread only pays on big tensors: below a size,
 * handing work to the pool costs more than it saves. So, unless the caller
 * names a count, each session gets every available CPU when its graph holds
 * a tensor of at least {@link PARALLEL_MIN_ELEMENTS} elements, else one.
 *
 * Measured on the shared 2-vCPU AMD EPYC (the package README's "Threads"
 * table and its commands), one thread against two, float64: the w = 1000
 * Hessian w.r.t. sigma 27.5 -> 15.3 s a call; the w = 256 gradient (tensors
 * of 262144 elements) 43-52 -> 28-31 ms; the w = 64 Hessian in passes of 8
 * directions (524288) 95-128 -> 63-71 ms; but the w = 64 gradient (65536)
 * 5.1-5.7 -> 5.8-5.9 ms, and the PINN app's small experiment (width 24)
 * 20.6-21.1 s -> 23-27 s with every session on two threads.
 */
import { availableParallelism } from 'node:os';

/** Graphs whose largest tensor has at least this many elements run on every thread. */
export const PARALLEL_MIN_ELEMENTS = 1 << 17;

/**
 * The intra-op threads of big graphs when neither the backend's `threads`
 * option nor `sessionOptions.intraOpNumThreads` sets a count: every CPU
 * this process may run on (`os.availableParallelism()`,
 * which follows the CPU affinity mask, so a Slurm or `taskset` allotment is
 * respected).
 */
export function defaultIntraOpNumThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Threads for big graphs, and the size from which a graph is big (0: every graph). */
export interface ThreadPolicy {
  readonly threads: number;
  readonly parallelMinElements: number;
}

/**
 * The policy for a caller's options: `intraOpNumThreads` (onnxruntime's own
 * option) applies to every session as it is; otherwise graphs are sized,
 * big ones getting `threads` (default {@link defaultIntraOpNumThreads}).
 */
export function threadPolicy(
  intraOpNumThreads: number | undefined,
  threads: number | undefined,
): ThreadPolicy {
  return intraOpNumThreads === undefined
    ? { threads: threads ?? defaultIntraOpNumThreads(), parallelMinElements: PARALLEL_MIN_ELEMENTS }
    : { threads: intraOpNumThreads, parallelMinElements: 0 };
}

/** The intra-op threads of a session whose largest tensor has `largestElements` elements. */
export function threadsFor(policy: ThreadPolicy, largestElements: number): number {
  return largestElements >= policy.parallelMinElements ? policy.threads : 1;
}

/** The element count of the largest of `shapes`. */
export function largestElements(shapes: Iterable<readonly number[]>): number {
  let largest = 0;
  for (const shape of shapes) {
    let n = 1;
    for (const d of shape) n *= d;
    if (n > largest) largest = n;
  }
  return largest;
}
