/**
 * Shared benchmark harness: robust timing and JSON result files.
 *
 * Every benchmark under `tools/bench/src/<name>/` times its cases with
 * {@link timeIt} and writes one JSON file with {@link writeResults} to
 * `tools/bench/results/<name>.json` (override with `--out FILE`). Report ratios
 * measured in one run: the machines are shared and noisy.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** Timing statistics of one case, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly repeats: number;
}

/** Options of {@link timeIt}. */
export interface TimeItOptions {
  /** Untimed warm-up calls (default 1). */
  readonly warmup?: number;
  /** Minimum number of timed calls (default 5). */
  readonly minRepeats?: number;
  /** Keep repeating until this much time is spent (default 200 ms). */
  readonly minTotalMs?: number;
  /** Hard cap on timed calls (default 10 000). */
  readonly maxRepeats?: number;
}

/** Wall time of one call of `fn` (sync or async), in milliseconds. */
async function elapsedMs(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Times `fn` (sync or async) and returns median, min and mean wall time. */
export async function timeIt(fn: () => unknown, options: TimeItOptions = {}): Promise<Timing> {
  const { warmup = 1, minRepeats = 5, minTotalMs = 200, maxRepeats = 10_000 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  let total = 0;
  while (samples.length < maxRepeats && (samples.length < minRepeats || total < minTotalMs)) {
    const ms = await elapsedMs(fn);
    samples.push(ms);
    total += ms;
  }
  return summarize(samples);
}

/** Median, min and mean of timed samples (milliseconds). */
export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const meanMs = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { medianMs, minMs: sorted[0], meanMs, repeats: samples.length };
}

/**
 * Times `fns` in alternating rounds (one call of each per round, after one
 * untimed call of each), so all see the same machine load: on a shared
 * machine, separate runs differ by more than most changes.
 */
export async function timeAlternating(
  fns: readonly (() => unknown)[],
  rounds: number,
): Promise<Timing[]> {
  for (const fn of fns) await fn();
  const samples: number[][] = fns.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < fns.length; i++) samples[i].push(await elapsedMs(fns[i]));
  }
  return samples.map(summarize);
}

/** Machine facts recorded with every result file. */
export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpuCount: cpu.length,
    totalMemGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** The command-line flags a benchmark takes: switches stand alone, value flags take the next word. */
export interface FlagSpec {
  readonly switches: readonly string[];
  readonly values: readonly string[];
}

/**
 * Throws a one-line error on the first argument that `spec` does not name
 * (a misspelt `--widht 1000` would otherwise run the default sizes), listing
 * the flags the benchmark takes. `--out` is always allowed.
 */
export function checkFlags(spec: FlagSpec, argv: readonly string[] = process.argv): void {
  const values = [...spec.values, '--out'];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (values.includes(arg)) i++;
    else if (!spec.switches.includes(arg))
      throw new Error(
        `unknown argument '${arg}'; this benchmark takes ${[...spec.switches, ...values].join(', ')}`,
      );
  }
}

/** The value after `--name` in argv, or undefined when the flag is absent; throws when its value is missing. */
export function flagValue(
  name: string,
  argv: readonly string[] = process.argv,
): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name}: missing value`);
  return v;
}

/** `flagValue` as a positive integer; throws a one-line error on anything else. */
export function positiveIntFlag(
  name: string,
  argv: readonly string[] = process.argv,
): number | undefined {
  const v = flagValue(name, argv);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: '${v}' is not a positive integer`);
  return n;
}

/**
 * The result file: `--out FILE` from argv, else `tools/bench/results/<name>.json`.
 * Throws when `--out` has no value. Call it before the work starts, so a bad
 * flag fails at once instead of after a long run.
 */
export function resultPath(name: string, argv: readonly string[] = process.argv): string {
  return flagValue('--out', argv) ?? join(__dirname, '..', 'results', `${name}.json`);
}

/**
 * Writes `{ benchmark, machine, ...payload }` as pretty JSON to `path` (from
 * {@link resultPath}). The file is written beside it and renamed into place,
 * so an interrupted write never leaves a truncated result.
 */
export function writeResults(path: string, name: string, payload: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  writeFileSync(
    partial,
    JSON.stringify({ benchmark: name, machine: machineInfo(), ...payload }, null, 2) + '\n',
  );
  renameSync(partial, path);
}
