/**
 * One-off Hessian: what a user pays for one Hessian w.r.t. sigma of the
 * benchmark's PINN loss in a fresh process: building the loss and Hessian
 * graphs on the host, onnxruntime compiling the Hessian graph (float64 by
 * default, CPU) and evaluating it once.
 *
 *   node dist/hessian-oneoff/main.js [--widths 1000] [--rounds N] [--python EXE]
 *     [--variants current,current:basic,current:all:1,pytorch:1] [--baseline DIR]
 *     [--loss nested-jvp|taylor-nn|taylor-lap] [--out FILE]
 *
 * `--loss` picks the construction (`../autodiff/pinn-loss-nn.ts`): nested
 * jvp (`pinn-loss.ts`, the default, what the PyTorch peer does with nested
 * autograd) or `@sublora/nn`'s Taylor mode (`taylor-lap` is what the PINN
 * app builds); all three are one function with the same weights.
 *
 * Each variant runs in its own child process (a fresh process is the case
 * measured), variants alternating within each round so they see the same
 * machine load; the load average is recorded beside each run. A variant is
 * `build[:level[:threads[:dtype[:chunk]]]]`: `build` is `current` (this checkout) or
 * `baseline` (the `@sublora/autodiff` and `@sublora/backend-onnxruntime`
 * built in checkout DIR, which build the Hessian graph and lower and run
 * it; the loss graph is built by this checkout in both),
 * `level` onnxruntime's `graphOptimizationLevel` (default: the backend's,
 * `disabled` for float64 since issue 19 and for float32 graphs of 4096
 * nodes or more since 0200b71; a baseline build older than that used `all`) and
 * `threads` its `intraOpNumThreads` for every session (default: the backend's, by graph size) and
 * `dtype` the backend's compute dtype (`float64`, the default, or `float32`:
 * the same float64 graph computed in float32, as the `backends` bench does) and
 * `chunk` the Hessian's directions per batched pass (default:
 * `defaultHessianChunk`, 1 at w = 1000).
 * `pytorch[:threads[:dtype]]` runs the PyTorch peer
 * (`python/pinn_hessian_peer.py`, same loss, weights and inputs; default 1
 * intra-op thread, float64) with `--python` (default `/usr/bin/python3`,
 * where Debian's python3-torch installs); without PyTorch it is recorded as
 * skipped. Every variant's Hessian is compared with the first one's.
 *
 * `--steady-calls N` also times N more calls of the compiled Hessian in each
 * TypeScript run (the steady state of a fine-tuning loop that computes many
 * Hessians) and the share of onnxruntime's own matmul rate its products
 * reach: the graph's matmul work (`census`) over the median call, against a
 * chain of 1024^3 products in the same dtype.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as current from '@sublora/autodiff';
import * as currentOrt from '@sublora/backend-onnxruntime';
import type { OnnxruntimeBackend } from '@sublora/backend-onnxruntime';
import { type BenchFlags, parseFlags, resultPath, writeResults } from '../harness';
import { loadBaselinePackages } from '../autodiff/baseline';
import { census } from '../autodiff/census';
import { pinnInputs, pinnSizesOfWidths, type PinnSize } from '../autodiff/pinn-loss';
import { PINN_LOSSES } from '../autodiff/pinn-loss-nn';

const LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
type Level = (typeof LEVELS)[number];

/** One configuration of this checkout (or the baseline) timed in a fresh process. */
interface Variant {
  readonly build: 'current' | 'baseline';
  /** Undefined: the backend's default level. */
  readonly level?: Level;
  readonly threads?: number;
  /** The backend's compute dtype. */
  readonly dtype: 'float64' | 'float32';
  /** Directions per batched Hessian pass; undefined: `defaultHessianChunk`. */
  readonly chunk?: number;
}

/** The PyTorch peer's settings. */
interface PeerVariant {
  readonly build: 'pytorch';
  readonly threads: number;
  readonly dtype: 'float64' | 'float32';
}

/** Stage times a child reports (milliseconds): wall time, and CPU time of all its threads. */
interface ChildReport {
  readonly lossBuildMs: number;
  readonly hessianBuildMs: number;
  readonly hessianNodes: number;
  readonly hessianChunk: number;
  /** The backend's compute dtype. */
  readonly dtype: string;
  /** onnxruntime's graph optimization level the session was compiled with. */
  readonly graphOptimizationLevel: string;
  readonly firstCallMs: number;
  readonly cpuMs: {
    readonly lossBuild: number;
    readonly hessianBuild: number;
    readonly firstCall: number;
    readonly process: number;
  };
  /** Peak resident set of the process (`process.resourceUsage().maxRSS`), MiB. */
  readonly maxRssMiB: number;
  /** With `--steady-calls N`: the compiled Hessian evaluated N more times, and its matmul share. */
  readonly steady?: SteadyReport;
}

/** The compiled Hessian's evaluation once warm, against onnxruntime's own matmul rate. */
interface SteadyReport {
  readonly calls: number;
  /** Wall time of the steady calls and the peak measurement, which the parent leaves out of `oneOffMs`. */
  readonly wallMs: number;
  readonly medianMs: number;
  readonly minMs: number;
  /** The Hessian graph's matmul work, 2 m n k per product (`census`). */
  readonly matmulGflop: number;
  /** `matmulGflop` over the median call. */
  readonly matmulGflopPerS: number;
  /** onnxruntime's rate on a chain of 1024^3 products in the same dtype and session options (best of 5). */
  readonly matmulPeakGflopPerS: number;
  /** `matmulGflopPerS / matmulPeakGflopPerS`. */
  readonly shareOfMatmulPeak: number;
  /** Peak resident set of the process through the steady calls, MiB. */
  readonly maxRssMiB: number;
}

/** CPU time (user + system, all threads) this process used since it started, in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Field `what` of variant `text`: undefined when absent or empty, else a positive integer. */
function positiveField(text: string, what: string, field: string | undefined): number | undefined {
  const n = field === undefined || field === '' ? undefined : Number(field);
  if (n !== undefined && !(Number.isInteger(n) && n >= 1))
    throw new Error(`--variants: '${text}': ${what} must be a positive integer`);
  return n;
}

function dtypeOf(text: string, dtype: string | undefined): 'float64' | 'float32' {
  const d = dtype === undefined || dtype === '' ? 'float64' : dtype;
  if (d !== 'float64' && d !== 'float32')
    throw new Error(`--variants: '${text}': dtype must be float64 or float32`);
  return d;
}

function parseVariant(text: string): Variant | PeerVariant {
  const parts = text.split(':');
  const build = parts[0];
  if (build === 'pytorch') {
    return {
      build,
      threads: positiveField(text, 'threads', parts[1]) ?? 1,
      dtype: dtypeOf(text, parts[2]),
    };
  }
  if (build !== 'current' && build !== 'baseline')
    throw new Error(`--variants: '${text}' must start with current, baseline or pytorch`);
  const level = parts[1] === undefined || parts[1] === '' ? undefined : parts[1];
  if (level !== undefined && !LEVELS.includes(level as Level))
    throw new Error(`--variants: '${text}': level must be one of ${LEVELS.join(', ')}`);
  return {
    build,
    level: level as Level | undefined,
    threads: positiveField(text, 'threads', parts[2]),
    dtype: dtypeOf(text, parts[3]),
    chunk: positiveField(text, 'chunk', parts[4]),
  };
}

/** The command line of one run of `variant`. */
function command(name: string, v: Variant | PeerVariant, size: PinnSize, file: string): string[] {
  if (v.build === 'pytorch') {
    const script = join(__dirname, '..', '..', 'python', 'pinn_hessian_peer.py');
    const python = flagValue('--python') ?? '/usr/bin/python3';
    return [python, script, '--width', String(size.width), '--threads', String(v.threads)].concat([
      '--dtype',
      v.dtype,
      '--hessian-file',
      file,
    ]);
  }
  const args = [process.execPath, __filename, '--widths', String(size.width), '--child', name];
  args.push('--hessian-file', file);
  const steadyCalls = flags?.positiveInts.get('--steady-calls');
  if (steadyCalls !== undefined) args.push('--steady-calls', String(steadyCalls));
  const baseline = flagValue('--baseline');
  if (baseline !== undefined) args.push('--baseline', baseline);
  const loss = flagValue('--loss');
  if (loss !== undefined) args.push('--loss', loss);
  return args;
}

/** The baseline checkout's `@sublora/autodiff` and onnxruntime backend (its own builds, not this one's). */
function loadBaseline(dir: string | undefined): [typeof current, typeof currentOrt] {
  if (dir === undefined) throw new Error('--baseline DIR is required by a baseline variant');
  return loadBaselinePackages(dir, ['@sublora/autodiff', '@sublora/backend-onnxruntime']) as [
    typeof current,
    typeof currentOrt,
  ];
}

/** The loss `--loss` names (default `nested-jvp`, the construction the PyTorch peer mirrors). */
function lossBuilder(): (typeof PINN_LOSSES)[number] {
  const name = flagValue('--loss') ?? 'nested-jvp';
  const loss = PINN_LOSSES.find((l) => l.name === name);
  if (loss === undefined)
    throw new Error(
      `--loss: '${name}' is not a benchmark loss; use one of ${PINN_LOSSES.map((l) => l.name).join(', ')}`,
    );
  return loss;
}

/** The level a graph of `nodes` nodes compiled with (a baseline may predate `optimizerMaxNodes`). */
function levelOf(
  d: { readonly graphOptimizationLevel: string; readonly optimizerMaxNodes?: number | null },
  nodes: number,
): string {
  const max = d.optimizerMaxNodes;
  return max !== undefined && max !== null && nodes >= max ? 'disabled' : d.graphOptimizationLevel;
}

/** The child: times the stages once and writes the Hessian's entries to `hessianFile`. */
async function child(size: PinnSize, v: Variant, hessianFile: string): Promise<ChildReport> {
  const [ad, ort] =
    v.build === 'current' ? [current, currentOrt] : loadBaseline(flagValue('--baseline'));
  const backend = await ort.createOnnxruntimeBackend({
    dtype: v.dtype,
    executionProviders: ['cpu'],
    sessionOptions: {
      ...(v.level === undefined ? {} : { graphOptimizationLevel: v.level }),
      ...(v.threads === undefined ? {} : { intraOpNumThreads: v.threads }),
    },
  });
  const cpu = [cpuMs()];
  let t0 = performance.now();
  const loss = lossBuilder().build(size);
  const lossBuildMs = performance.now() - t0;
  cpu.push(cpuMs());
  t0 = performance.now();
  const r = 2 * size.rank;
  // the chunk and cuts the backends benchmark uses for onnxruntime
  const hessianChunk = v.chunk ?? ad.defaultHessianChunk(ad.grad(loss, { wrt: 0 }), r);
  const graph = ad.hessian(loss, { wrt: 0, chunk: hessianChunk, adjointCuts: false });
  const hessianBuildMs = performance.now() - t0;
  cpu.push(cpuMs());
  t0 = performance.now();
  const [h] = await ad.evaluateToArrays(graph, backend, pinnInputs(size));
  const firstCallMs = performance.now() - t0;
  cpu.push(cpuMs());
  writeFileSync(hessianFile, Buffer.from(Float64Array.from(h).buffer));
  // the first call's peak RSS, before the steady calls and the peak product add theirs
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const steadyCalls = flags?.positiveInts.get('--steady-calls');
  const steady =
    steadyCalls === undefined
      ? undefined
      : await steadyState(graph, backend, pinnInputs(size), hessianChunk, steadyCalls);
  return {
    lossBuildMs,
    hessianBuildMs,
    hessianNodes: graph.nodes.length,
    hessianChunk,
    dtype: backend.describe().computeDtype,
    graphOptimizationLevel: levelOf(backend.describe(), graph.nodes.length),
    firstCallMs,
    cpuMs: {
      lossBuild: cpu[1] - cpu[0],
      hessianBuild: cpu[2] - cpu[1],
      firstCall: cpu[3] - cpu[2],
      process: cpu[3],
    },
    maxRssMiB,
    ...(steady && { steady }),
  };
}

async function timeCalls(calls: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** Times `calls` further evaluations of the compiled Hessian and onnxruntime's matmul rate. */
async function steadyState(
  graph: current.Graph,
  backend: OnnxruntimeBackend,
  inputs: Float64Array[],
  chunk: number,
  calls: number,
): Promise<SteadyReport> {
  const start = performance.now();
  const times = await timeCalls(calls, () => current.evaluateToArrays(graph, backend, inputs));
  const medianMs = times[times.length >> 1];
  // before the peak product below adds its own buffers
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const matmulGflop =
    census(graph, chunk)
      .filter((row) => row.op === 'matmul')
      .reduce((a, row) => a + row.flops, 0) / 1e9;
  const matmulGflopPerS = matmulGflop / (medianMs / 1000);
  const matmulPeakGflopPerS = await matmulPeak(backend);
  return {
    calls,
    wallMs: performance.now() - start,
    medianMs,
    minMs: times[0],
    maxRssMiB,
    matmulGflop,
    matmulGflopPerS,
    matmulPeakGflopPerS,
    shareOfMatmulPeak: matmulGflopPerS / matmulPeakGflopPerS,
  };
}

/**
 * onnxruntime's matmul rate: a chain of `PEAK_CHAIN` products `x <- x b` of
 * 1024 x 1024 matrices in one graph, so moving the operands in and out is a
 * small part of the time (well under 1 % at 100 GFLOP/s); best of 5 calls after
 * one that compiles.
 */
const PEAK_CHAIN = 32;
async function matmulPeak(backend: OnnxruntimeBackend): Promise<number> {
  const n = 1024;
  const graph = current.trace([current.spec('x', [n, n]), current.spec('b', [n, n])], (x, b) => {
    let y = x;
    for (let i = 0; i < PEAK_CHAIN; i++) y = current.matmul(y, b);
    return [y];
  });
  // entries of size 1 / n keep the chain's values of order 1
  const x = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i) / n);
  const call = () => current.evaluateToArrays(graph, backend, [x, b]);
  await call();
  const times = await timeCalls(5, call);
  return (PEAK_CHAIN * 2 * n ** 3) / 1e9 / (times[0] / 1000);
}

/** What the PyTorch peer reports (milliseconds). */
interface PeerReport {
  readonly setupMs: number;
  readonly hessianMs: number;
  readonly cpuMs: { readonly setup: number; readonly hessian: number; readonly process: number };
  readonly maxRssMiB: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeStages(r: ChildReport): string {
  return (
    `loss graph ${seconds(r.lossBuildMs)}, Hessian graph ${seconds(r.hessianBuildMs)} ` +
    `with ${r.hessianNodes} nodes, first call ${seconds(r.firstCallMs)}; ` +
    `CPU ${seconds(r.cpuMs.process)} in all: graphs ${seconds(r.cpuMs.lossBuild + r.cpuMs.hessianBuild)}, first call ${seconds(r.cpuMs.firstCall)}; ` +
    `peak RSS ${r.maxRssMiB.toFixed(0)} MiB` +
    (r.steady === undefined
      ? ''
      : `; then ${seconds(r.steady.medianMs)} a call (median of ${r.steady.calls}; ` +
        `peak RSS ${r.steady.maxRssMiB.toFixed(0)} MiB), ` +
        `matmuls at ${r.steady.matmulGflopPerS.toFixed(0)} GFLOP/s = ` +
        `${(100 * r.steady.shareOfMatmulPeak).toFixed(0)}% of onnxruntime's ${r.steady.matmulPeakGflopPerS.toFixed(0)}`)
  );
}

function describePeer(r: PeerReport): string {
  return (
    `torch.autograd.functional.hessian ${seconds(r.hessianMs)}, CPU ${seconds(r.cpuMs.hessian)}; ` +
    `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`
  );
}

/** max |a - b| / max |a|. */
function relDiff(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  a.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - b[i]));
    scale = Math.max(scale, Math.abs(v));
  });
  return diff / scale;
}

/** The command line's flags, parsed once at the start of `main`. */
let flags: BenchFlags | undefined;
const flagValue = (flag: string): string | undefined => flags?.values.get(flag);

async function main(): Promise<void> {
  flags = parseFlags({
    switches: [],
    values: [
      '--widths',
      '--variants',
      '--baseline',
      '--python',
      '--child',
      '--hessian-file',
      '--loss',
    ],
    positiveInts: ['--rounds', '--steady-calls'],
  });
  const [size] = pinnSizesOfWidths(flagValue('--widths'), [1000]);
  const childVariant = flagValue('--child');
  if (childVariant !== undefined) {
    const v = parseVariant(childVariant);
    if (v.build === 'pytorch')
      throw new Error(`--child: '${childVariant}' is not a TypeScript run`);
    const report = await child(size, v, flagValue('--hessian-file')!);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const path = resultPath('hessian-oneoff', flags);
  const names = (flagValue('--variants') ?? 'current').split(',');
  names.forEach(parseVariant);
  const lossName = lossBuilder().name;
  const rounds = flags.positiveInts.get('--rounds') ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'hessian-oneoff-'));
  const runs: Record<string, unknown>[] = [];
  let reference: { name: string; h: Float64Array } | undefined;
  // rewritten after every run: a w = 1000 round takes many minutes on a loaded machine
  const save = () =>
    writeResults(path, 'hessian-oneoff', {
      note:
        'Fresh process per run: processMs = node start + module load + loss and Hessian graph build + ' +
        'onnxruntime compile + one evaluation (CPU provider; float64 unless the variant names float32). Variants alternate within a round. ' +
        'steady (with --steady-calls N): N more calls of the compiled Hessian; maxRssMiB is taken before them, steady.maxRssMiB after. ' +
        'oneOffMs = processMs, less the pure-Python weight generation (setupMs) for the PyTorch peer; ' +
        'oneOffCpuMs the same in CPU time of all threads (cpuMs.process, less cpuMs.setup for the peer), ' +
        'the measure that depends least on the machine load. ' +
        'hessianRelDiff = max |H - H_ref| / max |H_ref| against the first variant that ran.',
      size: { ...size, r: 2 * size.rank },
      baseline: flagValue('--baseline') ?? null,
      loss: lossName,
      variants: names,
      runs,
    });
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const file = join(dir, `${name.replace(/:/g, '_')}.f64`);
        const [exe, ...args] = command(name, parseVariant(name), size, file);
        const loadBefore = loadavg()[0];
        const t0 = performance.now();
        const res = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
        const processMs = performance.now() - t0;
        if (res.status !== 0)
          throw new Error(
            `variant ${name} failed: ${(res.stderr ?? String(res.error)).trim().split('\n').pop()}`,
          );
        const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
        if ('skipped' in out) {
          runs.push({ round, variant: name, skipped: out.skipped });
          save();
          console.log(`round ${round} ${name}: skipped (${String(out.skipped)})`);
          continue;
        }
        const bytes = readFileSync(file);
        const h = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8).slice();
        reference ??= { name, h };
        const peer = parseVariant(name).build === 'pytorch';
        // the peer's process also generates the weights in pure Python, which is not its work
        const cpu = (out as unknown as ChildReport | PeerReport).cpuMs;
        const oneOffMs =
          processMs -
          (peer
            ? (out as unknown as PeerReport).setupMs
            : ((out as unknown as ChildReport).steady?.wallMs ?? 0));
        const oneOffCpuMs = cpu.process - (peer ? (out as unknown as PeerReport).cpuMs.setup : 0);
        const run = {
          round,
          variant: name,
          processMs,
          oneOffMs,
          oneOffCpuMs,
          ...out,
          hessianRelDiff: { to: reference.name, value: relDiff(reference.h, h) },
          loadAverage1m: { before: loadBefore, after: loadavg()[0] },
        };
        runs.push(run);
        save();
        const stages = peer
          ? describePeer(out as unknown as PeerReport)
          : describeStages(out as unknown as ChildReport);
        console.log(
          `round ${round} ${name}: ${seconds(oneOffMs)} one-off, CPU ${seconds(oneOffCpuMs)} (${stages}); ` +
            `load ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; ` +
            `|H - H_${reference.name}| / max|H| = ${run.hessianRelDiff.value.toExponential(1)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wrote ${path}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
