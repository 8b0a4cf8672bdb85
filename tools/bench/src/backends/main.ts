/**
 * Backends benchmark: loss, gradient, Hessian w.r.t. sigma and one Adam step
 * of the elliptic-PINN-like loss of `../autodiff/pinn-loss.ts` (tanh MLP
 * 2 -> w -> w -> w -> 1, LoRA-SVD rank k on both hidden-to-hidden layers,
 * 1024 interior + 256 boundary points) on every backend that loads here.
 *
 * Every graph goes through `evaluate`, so onnxruntime compiles it once
 * (reported as `firstCallMs`, separate from the timed median). Cases whose
 * predicted time (scaled from the previous size's measurement) exceeds
 * `--budget-s` (default 120) are skipped and listed with the reason.
 *
 *   node dist/backends/main.js [--quick] [--budget-s S] [--out FILE]
 *     [--widths 64,256,1000] [--backends reference,onnxruntime-float64,onnxruntime-float32,tfjs]
 *     [--ops loss,gradient,hessian,adamStep] [--hessian-chunk C] [--threads N]
 *
 * `--widths` picks sizes of the full list (64 -> k 8, 256 -> k 16, 1000 -> k 50),
 * `--backends` and `--ops` pick rows and columns; `--hessian-chunk` overrides
 * autodiff's memory-bounded default (`defaultHessianChunk`: 2 directions per
 * pass at w = 256, 1 at w = 1000), which measured fastest on onnxruntime too;
 * `--threads` gives every onnxruntime session N intra-op threads (default:
 * the backend's choice by graph size) and the reference backend's big matrix
 * products N threads (default: every available CPU, as `@sublora/backends`
 * creates it).
 */
import {
  defaultHessianChunk,
  evaluateToArrays,
  grad,
  hessian,
  adjointCutsPay,
  valueAndGrad,
  type Graph,
} from '@sublora/autodiff';
import { createOnnxruntimeBackend } from '@sublora/backend-onnxruntime';
import { createTfjsBackend } from '@sublora/backend-tfjs';
import { adamStep, createAdamState } from '@sublora/nn';
import { referenceBackend, type Backend } from '@sublora/tensor';
import {
  parseFlags,
  resultPath,
  timeIt,
  useReferenceThreads,
  writeResults,
  type Timing,
} from '../harness';
import {
  PINN_SIZES,
  pinnInputs,
  pinnLoss,
  pinnSizesOfWidths,
  type PinnSize,
} from '../autodiff/pinn-loss';

/** Prints a one-line usage error and exits (bad flags are the caller's mistake, not a crash). */
function usageError(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Runs a flag check; its error (an unknown flag, a flag without its value) becomes a usage error. */
function readFlag<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
}

const flags = readFlag(() =>
  parseFlags({
    switches: ['--quick'],
    values: ['--widths', '--backends', '--ops'],
    positiveInts: ['--budget-s', '--hessian-chunk', '--threads'],
  }),
);
const quick = flags.switches.has('--quick');
const outPath = resultPath('backends', flags);

/** A comma-separated list flag, each entry checked against `known`. */
function listFlag<T extends string>(flag: string, known: readonly T[]): readonly T[] | undefined {
  const v = flags.values.get(flag);
  if (v === undefined) return undefined;
  const items = v.split(',').map((x) => x.trim());
  const bad = items.find((x) => !known.includes(x as T));
  if (bad !== undefined) usageError(`${flag}: unknown '${bad}'; use any of ${known.join(',')}`);
  return items as T[];
}

const budgetMs = 1000 * (flags.positiveInts.get('--budget-s') ?? 120);

type Op = 'loss' | 'gradient' | 'hessian' | 'adamStep';
const ALL_OPS: readonly Op[] = ['loss', 'gradient', 'hessian', 'adamStep'];
const OPS = listFlag('--ops', ALL_OPS) ?? ALL_OPS;

const BACKEND_LABELS = ['reference', 'onnxruntime-float64', 'onnxruntime-float32', 'tfjs'] as const;
type BackendLabel = (typeof BACKEND_LABELS)[number];
const selectedBackends = listFlag('--backends', BACKEND_LABELS) ?? BACKEND_LABELS;

const quickPoints = { interior: 128, boundary: 32 };
const allSizes: readonly PinnSize[] = quick
  ? [
      { width: 16, rank: 4, ...quickPoints },
      { width: 32, rank: 8, ...quickPoints },
    ]
  : PINN_SIZES;
const named = readFlag(() =>
  pinnSizesOfWidths(
    flags.values.get('--widths'),
    allSizes.map((s) => s.width),
    allSizes,
  ),
);
// smallest first, each once: a case's time is predicted from the size before it
const sizes = allSizes.filter((s) => named.includes(s));

/** Hessian directions per batched pass: `--hessian-chunk`, else autodiff's memory-bounded default. */
const chunkOverride = flags.positiveInts.get('--hessian-chunk');
/** onnxruntime's intra-op threads for every session (default: the backend's, by graph size). */
const threadsOverride = flags.positiveInts.get('--threads');

/** Relative work of an op at a size (flops per point of the 3-layer net; Hessian: one tangent per direction). */
function work(op: Op, s: PinnSize): number {
  const perPoint = s.width * s.width + s.width * s.rank;
  return perPoint * (s.interior + s.boundary) * (op === 'hessian' ? 2 * s.rank : 1);
}

interface NamedBackend {
  readonly label: string;
  readonly backend: Backend;
  readonly description: unknown;
}

async function loadBackends(): Promise<{
  loaded: NamedBackend[];
  unavailable: { label: string; reason: string }[];
}> {
  const loaded: NamedBackend[] = [];
  const unavailable: { label: string; reason: string }[] = [];
  const wanted = (label: BackendLabel) => selectedBackends.includes(label);
  const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
  if (wanted('reference')) {
    useReferenceThreads(threadsOverride);
    loaded.push({
      label: 'reference',
      backend: referenceBackend,
      description: { dtype: 'float64', ...referenceBackend.describe() },
    });
  }
  for (const dtype of ['float64', 'float32'] as const) {
    const label = `onnxruntime-${dtype}` as const;
    if (!wanted(label)) continue;
    try {
      const be = await createOnnxruntimeBackend({
        dtype,
        ...(threadsOverride === undefined
          ? {}
          : { sessionOptions: { intraOpNumThreads: threadsOverride } }),
      });
      loaded.push({ label, backend: be, description: be.describe() });
    } catch (e) {
      unavailable.push({ label, reason: firstLine(e) });
    }
  }
  if (wanted('tfjs')) {
    try {
      // tfjs computes in float32: float64 graph inputs are served in float32.
      const be = await createTfjsBackend({ allowDowncast: true, log: () => undefined });
      loaded.push({ label: 'tfjs', backend: be, description: be.describe() });
    } catch (e) {
      unavailable.push({ label: 'tfjs', reason: firstLine(e) });
    }
  }
  return { loaded, unavailable };
}

interface Graphs {
  readonly loss: Graph;
  readonly gradient: Graph;
  /** Directions per batched pass of the Hessian graph. */
  readonly hessianChunk: number;
  readonly valueAndGradient: Graph;
  readonly buildMs: number;
  /** Hessian graphs built so far, by their `adjointCuts` setting, with their build time. */
  readonly hessians: Map<boolean, { graph: Graph; buildMs: number }>;
}

function buildGraphs(size: PinnSize): Graphs {
  const t0 = performance.now();
  const loss = pinnLoss(size);
  const gradient = grad(loss, { wrt: 0 });
  const valueAndGradient = valueAndGrad(loss, { wrt: 0 });
  const hessianChunk = chunkOverride ?? defaultHessianChunk(gradient, 2 * size.rank);
  return {
    loss,
    gradient,
    hessianChunk,
    valueAndGradient,
    buildMs: performance.now() - t0,
    hessians: new Map(),
  };
}

/**
 * The Hessian graph for `backend`, built on first use (seconds at w = 1000):
 * with adjoint cuts for eager backends, without for a backend that compiles
 * whole graphs (onnxruntime: same run time, slower compilation with cuts).
 */
function hessianFor(graphs: Graphs, backend: Backend): { graph: Graph; buildMs: number } {
  const cuts = adjointCutsPay(backend);
  let built = graphs.hessians.get(cuts);
  if (!built) {
    const t0 = performance.now();
    const graph = hessian(graphs.loss, { wrt: 0, chunk: graphs.hessianChunk, adjointCuts: cuts });
    built = { graph, buildMs: performance.now() - t0 };
    graphs.hessians.set(cuts, built);
  }
  return built;
}

/** One call of `op`: evaluate the graph and read the results back (an Adam step also updates sigma on the host). */
function operation(
  op: Op,
  graphs: Graphs,
  backend: Backend,
  inputs: Float64Array[],
): () => Promise<unknown> {
  if (op !== 'adamStep') {
    const graph = op === 'hessian' ? hessianFor(graphs, backend).graph : graphs[op];
    return () => evaluateToArrays(graph, backend, inputs);
  }
  const params = { sigma: { data: Float64Array.from(inputs[0]), shape: [inputs[0].length] } };
  const state = createAdamState(params);
  return async () => {
    const [, g] = await evaluateToArrays(graphs.valueAndGradient, backend, [
      params.sigma.data,
      inputs[1],
      inputs[2],
    ]);
    adamStep(state, params, { sigma: g }, 1e-3);
  };
}

interface Measured {
  readonly firstCallMs: number;
  readonly timing: Timing;
}

async function measure(run: () => Promise<unknown>, firstCallMs: number): Promise<Measured> {
  const slow = firstCallMs > 2000;
  const timing = await timeIt(
    run,
    slow
      ? { warmup: 0, minRepeats: 1, minTotalMs: 0 }
      : { warmup: 0, minRepeats: 3, minTotalMs: 1000 },
  );
  return { firstCallMs, timing };
}

async function main(): Promise<void> {
  const { loaded, unavailable } = await loadBackends();
  console.log(
    `backends: ${loaded.map((b) => b.label).join(', ')}${unavailable.length ? `; unavailable: ${unavailable.map((u) => `${u.label} (${u.reason})`).join('; ')}` : ''}`,
  );
  const cases: Record<string, unknown>[] = [];
  const skipped: Record<string, unknown>[] = [];
  // Last measurement per backend and op, to predict the next size.
  const last = new Map<string, { size: PinnSize; ms: number }>();
  for (const size of sizes) {
    const graphs = buildGraphs(size);
    const r = 2 * size.rank;
    const inputs = pinnInputs(size);
    console.log(
      `w=${size.width} k=${size.rank}: loss and gradient graphs built in ${graphs.buildMs.toFixed(0)} ms (Hessian chunk ${graphs.hessianChunk})`,
    );
    for (const { label, backend } of loaded) {
      const row: Record<string, unknown> = {
        backend: label,
        ...size,
        r,
        hessianChunk: graphs.hessianChunk,
        graphBuildMs: graphs.buildMs,
      };
      for (const op of OPS) {
        const key = `${label}/${op}`;
        const prev = last.get(key);
        const predictedMs = prev ? (prev.ms * work(op, size)) / work(op, prev.size) : undefined;
        if (predictedMs !== undefined && predictedMs > budgetMs) {
          const reason = `predicted ${(predictedMs / 1000).toFixed(0)} s (scaled from w=${prev?.size.width}) exceeds the ${budgetMs / 1000} s budget`;
          skipped.push({ backend: label, op, ...size, reason });
          row[op] = { skipped: reason };
          console.log(`  ${label} ${op}: skipped, ${reason}`);
          continue;
        }
        const run = operation(op, graphs, backend, inputs);
        const t0 = performance.now();
        try {
          await run();
        } catch (e) {
          const reason = `failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
          skipped.push({ backend: label, op, ...size, reason });
          row[op] = { skipped: reason };
          console.log(`  ${label} ${op}: ${reason}`);
          continue;
        }
        const m = await measure(run, performance.now() - t0);
        last.set(key, { size, ms: m.timing.medianMs });
        row[op] = m;
        console.log(
          `  ${label} ${op}: median ${m.timing.medianMs.toFixed(1)} ms (first call ${m.firstCallMs.toFixed(0)} ms, ${m.timing.repeats} runs)`,
        );
      }
      const cuts = adjointCutsPay(backend);
      const built = graphs.hessians.get(cuts);
      if (built) {
        row.hessianGraph = {
          adjointCuts: cuts,
          nodes: built.graph.nodes.length,
          buildMs: built.buildMs,
        };
        console.log(
          `  ${label} Hessian graph: adjointCuts ${cuts}, ${built.graph.nodes.length} nodes, built in ${built.buildMs.toFixed(0)} ms`,
        );
      }
      cases.push(row);
    }
  }
  writeResults(outPath, 'backends', {
    note:
      'Median wall time per call (evaluate + read back). firstCallMs includes onnxruntime graph compilation. ' +
      'The Hessian graph uses adjoint cuts on eager backends and not on onnxruntime (hessianGraph per case). ' +
      'adamStep = valueAndGrad w.r.t. sigma on the backend + host adamStep from @sublora/nn (sigma is the only trainable input of this loss). ' +
      'tfjs serves the float64 graph in float32 (allowDowncast). Cases predicted to exceed the budget are listed in `skipped`.',
    budgetSeconds: budgetMs / 1000,
    selection: { widths: sizes.map((s) => s.width), backends: selectedBackends, ops: OPS },
    backends: loaded.map((b) => ({ label: b.label, description: b.description })),
    unavailable,
    cases,
    skipped,
  });
  console.log(`wrote ${outPath}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
