/**
 * One training step of each adapter family against one LoRA-SVD Adam step:
 * PoLAR (landing and retraction, issue 20) and GeoLoRA (the basis-augmenting
 * step with tau truncation, issue 17), on the PINN app's loss shape: a tanh MLP 2 -> w -> w -> w
 * -> 1 adapted on both hidden-to-hidden layers (rank 16 at w = 256, 50 at
 * w = 1000, as `PINN_SIZES`), the elliptic residual through the forward
 * Laplacian on 1024 interior points plus a boundary term on 256.
 *
 * A step is what fine-tuning pays per epoch: the loss and the adapter
 * gradients on the backend (every parameter a graph input, as in the app),
 * read back, then the host update (`@sublora/nn` Adam for LoRA-SVD,
 * `@sublora/polar`'s `polarStep`, `@sublora/geolora`'s `geoloraStep`). The
 * host update alone is timed too, since that is where the methods differ.
 * GeoLoRA runs at `rmax = r = k` (every layer full, the largest step: QR of
 * `w x 2k`, SVD of `2k x 2k`) with a tau far below any singular value, so the
 * rank stays at `k` while it is timed. The host QR and SVD at those sizes are
 * timed alone as well (`linalg`).
 *
 *     node tools/bench/dist/adapter-step/main.js [--widths 256,1000]
 *       [--backends reference,onnxruntime] [--methods lora-svd,geolora,...]
 *       [--rounds N] [--out FILE]
 *
 * Writes tools/bench/results/adapter-step.json, with the load average at
 * start and end (the machines are shared).
 */
import {
  type Graph,
  type Value,
  add,
  evaluateToArrays,
  mean,
  mul,
  spec,
  square,
  sub,
  trace,
  valueAndGrad,
} from '@sublora/autodiff';
import { createOnnxruntimeBackend } from '@sublora/backend-onnxruntime';
import { geoloraLayers, geoloraNames, geoloraStep, initGeolora } from '@sublora/geolora';
import { matrix, qr, svd } from '@sublora/linalg';
import {
  type MlpShape,
  type ParamValues,
  type TracedLinear,
  adamStep,
  bindValues,
  createAdamState,
  hiddenToHidden,
  initLora,
  initMlp,
  loraLayers,
  mlpForward,
  mlpWithInputDerivatives,
  paramSpecs,
} from '@sublora/nn';
import {
  type PolarShape,
  type PolarStepOptions,
  createPolarState,
  initPolar,
  polarLayers,
  polarStep,
} from '@sublora/polar';
import { type Backend, createRandom, referenceBackend } from '@sublora/tensor';
import { loadavg } from 'node:os';
import { type Timing, parseFlags, resultPath, timeIt, writeResults } from '../harness';
import { PINN_SIZES, pinnSizesOfWidths, randoms, type PinnSize } from '../autodiff/pinn-loss';

const flags = (() => {
  try {
    return parseFlags({
      switches: [],
      values: ['--widths', '--backends', '--methods'],
      positiveInts: ['--rounds'],
    });
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
})();
const BACKENDS = ['reference', 'onnxruntime'] as const;
type BackendName = (typeof BACKENDS)[number];
const backendNames = (flags.values.get('--backends') ?? BACKENDS.join(','))
  .split(',')
  .map((b) => b.trim());
const badBackend = backendNames.find((b) => !BACKENDS.includes(b as BackendName));
if (badBackend !== undefined) {
  console.error(`--backends: unknown '${badBackend}'; use any of ${BACKENDS.join(',')}`);
  process.exit(2);
}
const sizes = (() => {
  try {
    return pinnSizesOfWidths(flags.values.get('--widths'), [256, 1000], PINN_SIZES);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
})();
const rounds = flags.positiveInts.get('--rounds') ?? 3;

const METHODS = ['lora-svd', 'polar-landing', 'polar-retraction', 'geolora'] as const;
type Method = (typeof METHODS)[number];
const methods = (flags.values.get('--methods') ?? METHODS.join(','))
  .split(',')
  .map((m) => m.trim());
const badMethod = methods.find((m) => !METHODS.includes(m as Method));
if (badMethod !== undefined) {
  console.error(`--methods: unknown '${badMethod}'; use any of ${METHODS.join(',')}`);
  process.exit(2);
}

interface Problem {
  readonly params: ParamValues;
  readonly adapterNames: readonly string[];
  readonly graph: Graph;
  readonly data: Float64Array[];
  /** The host update from the gradients (by adapter name). */
  readonly update: (grads: Record<string, Float64Array>) => void;
}

/** `mean(lap u + u - f)^2 + mean(u - g)^2` over the adapted layers `layersOf(values)`. */
function lossGraph(
  size: PinnSize,
  params: ParamValues,
  adapterNames: readonly string[],
  layersOf: (values: Record<string, Value>) => TracedLinear[],
): Graph {
  const names = Object.keys(params);
  const loss = trace(
    [
      ...paramSpecs(params, names),
      spec('interior', [size.interior, 2]),
      spec('source', [size.interior, 1]),
      spec('boundary', [size.boundary, 2]),
      spec('target', [size.boundary, 1]),
    ],
    (...args) => {
      const layers = layersOf(bindValues(names, args));
      const [xi, f, xb, g] = args.slice(names.length);
      const d = mlpWithInputDerivatives(layers, xi, { laplacian: [0, 1] });
      const residual = sub(add(d.laplacian as Value, d.u), f);
      const boundary = sub(mlpForward(layers, xb), g);
      return [add(mean(square(residual)), mul(mean(square(boundary)), 10))];
    },
  );
  return valueAndGrad(loss, { wrt: adapterNames.map((n) => names.indexOf(n)) });
}

function problem(size: PinnSize, method: Method): Problem {
  const mlp: MlpShape = { inputDim: 2, width: size.width, depth: 3 };
  const rng = createRandom(7);
  const base = initMlp(mlp, rng);
  const layers = hiddenToHidden(mlp);
  const data = [
    randoms(4, 2 * size.interior, -1, 1),
    randoms(6, size.interior, -1, 1),
    randoms(5, 2 * size.boundary, -1, 1),
    randoms(8, size.boundary, -0.2, 0.2),
  ];
  if (method === 'lora-svd') {
    const lora = { layers, rank: size.rank };
    const adapter = initLora(mlp, lora, rng);
    // a nonzero sigma, as after a few steps (a zero one makes U and V gradients vanish)
    adapter['lora.sigma'].data.fill(0.01);
    const params = { ...base, ...adapter };
    const adapterNames = Object.keys(adapter);
    const state = createAdamState(params, adapterNames);
    return {
      params,
      adapterNames,
      data,
      graph: lossGraph(size, params, adapterNames, (v) => loraLayers(mlp, lora, v)),
      update: (grads) => adamStep(state, params, grads, 1e-3),
    };
  }
  if (method === 'geolora') {
    const config = { layers, rmax: size.rank, rank: size.rank, tau: 1e-12 };
    const state = initGeolora(mlp, config, rng);
    // a nonzero diagonal S, as after a truncation
    for (const l of layers) {
      const s = state.params[geoloraNames(l).s].data;
      for (let i = 0; i < size.rank; i++) s[i * size.rank + i] = 0.01 * (1 + i / size.rank);
    }
    const params = { ...base, ...state.params };
    const adapterNames = Object.keys(state.params);
    // the step updates state.params, which shares its buffers with params
    return {
      params,
      adapterNames,
      data,
      graph: lossGraph(size, params, adapterNames, (v) => geoloraLayers(mlp, config, v)),
      update: (grads) => {
        geoloraStep(state, grads, 1e-3);
      },
    };
  }
  const shape: PolarShape = { layers, rank: size.rank, alpha: size.rank, theta: 'full' };
  const adapter = initPolar(mlp, shape, rng);
  for (const [name, p] of Object.entries(adapter))
    if (name.includes('Theta')) p.data.set(randoms(9, p.data.length, -0.01, 0.01));
  const params = { ...base, ...adapter };
  const adapterNames = Object.keys(adapter);
  const state = createPolarState(params, shape);
  const options: PolarStepOptions = {
    step: method === 'polar-landing' ? 'landing' : 'retraction',
    lambda: 1,
  };
  return {
    params,
    adapterNames,
    data,
    graph: lossGraph(size, params, adapterNames, (v) => polarLayers(mlp, shape, v)),
    update: (grads) => polarStep(state, params, grads, 1e-3, shape, options),
  };
}

async function gradients(p: Problem, backend: Backend): Promise<Record<string, Float64Array>> {
  const inputs = [...Object.values(p.params).map((v) => v.data), ...p.data];
  const [, ...grads] = await evaluateToArrays(p.graph, backend, inputs);
  return Object.fromEntries(p.adapterNames.map((n, i) => [n, Float64Array.from(grads[i])]));
}

async function backendOf(name: BackendName): Promise<Backend> {
  return name === 'reference' ? referenceBackend : createOnnxruntimeBackend({ dtype: 'float64' });
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const cases: Record<string, unknown>[] = [];
  for (const size of sizes) {
    for (const name of backendNames as BackendName[]) {
      const backend = await backendOf(name);
      for (const method of methods as Method[]) {
        const p = problem(size, method);
        const t0 = performance.now();
        const first = await gradients(p, backend);
        const firstCallMs = performance.now() - t0;
        const step: Timing = await timeIt(async () => p.update(await gradients(p, backend)), {
          warmup: 0,
          minRepeats: rounds,
          minTotalMs: 0,
        });
        // the host update alone, on fixed gradients (many repeats: it is cheap)
        const update: Timing = await timeIt(() => p.update(first), {
          warmup: 1,
          minRepeats: 5,
          minTotalMs: 200,
        });
        const row = { width: size.width, rank: size.rank, backend: name, method };
        cases.push({ ...row, firstCallMs, step, hostUpdate: update });
        console.log(
          `w=${size.width} k=${size.rank} ${name} ${method}: step ${step.medianMs.toFixed(1)} ms, host update ${update.medianMs.toFixed(2)} ms (first call ${firstCallMs.toFixed(0)} ms)`,
        );
      }
    }
  }
  const linalg: Record<string, unknown>[] = [];
  for (const size of sizes) {
    const k = size.rank;
    const tall = matrix(size.width, 2 * k, randoms(11, size.width * 2 * k, -1, 1));
    const square = matrix(2 * k, 2 * k, randoms(12, 4 * k * k, -1, 1));
    const opts = { warmup: 1, minRepeats: 3, minTotalMs: 200 };
    const qrMs = (await timeIt(() => qr(tall), opts)).medianMs;
    const svdMs = (await timeIt(() => svd(square), opts)).medianMs;
    linalg.push({ width: size.width, rank: k, qrMs, svdMs });
    console.log(
      `linalg: qr ${size.width} x ${2 * k} ${qrMs.toFixed(1)} ms, svd ${2 * k} x ${2 * k} ${svdMs.toFixed(1)} ms`,
    );
  }
  const out = resultPath('adapter-step', flags);
  writeResults(out, 'adapter-step', {
    note:
      'step = loss and adapter gradients on the backend (float64, all parameters as graph inputs) + host update; ' +
      'hostUpdate = the update alone on fixed gradients. lora-svd: Adam; polar-landing: landing field + Adam; ' +
      'polar-retraction: Riemannian gradient + QR retraction for X, Y, Adam for Theta; geolora: the plain ' +
      'GeoLoRA step at r = rmax = k (augment to 2k, truncate back). linalg: host QR of w x 2k and SVD of ' +
      '2k x 2k (ml-matrix through @sublora/linalg). Median of the rounds.',
    rounds,
    loadAverage: { start: loadStart, end: loadavg() },
    cases,
    linalg,
  });
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
