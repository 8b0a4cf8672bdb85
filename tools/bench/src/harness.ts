/**
 * Shared benchmark harness: robust timing and JSON result files.
 *
 * Every benchmark under `tools/bench/src/<name>/` times its cases with
 * {@link timeIt} and writes one JSON file with {@link writeResults} to
 * `tools/bench/results/<name>.json` (override with `--out FILE`). Flags are
 * parsed by {@link parseFlags} (commander, as the CLIs use). Report ratios
 * measured in one run: the machines are shared and noisy.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { startNodeGemmWorker } from '@sublora/backends';
import { referenceKernels } from '@sublora/tensor';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';

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
  /** Value flags whose value must be a positive integer (not repeated in `values`). */
  readonly positiveInts?: readonly string[];
}

/** The flags given on one command line, by their spelling (`--widths`). */
export interface BenchFlags {
  /** The switches given. */
  readonly switches: ReadonlySet<string>;
  /** The value flags given, `--out` included. */
  readonly values: ReadonlyMap<string, string>;
  /** The positive-integer flags given. */
  readonly positiveInts: ReadonlyMap<string, number>;
}

/** commander's option-argument parser that rejects a flag as the value (`--widths --quick`). */
function valueOf(flag: string): (v: string) => string {
  return (v) => {
    if (v.startsWith('--')) throw new Error(`${flag}: missing value`);
    return v;
  };
}

/** As {@link valueOf}, and the value must be a positive integer. */
function positiveIntOf(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(valueOf(flag)(v));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: '${v}' is not a positive integer`);
    return n;
  };
}

/**
 * Parses argv with commander against `spec` (`--out` is always allowed).
 * Throws a one-line error on the first argument that `spec` does not name (a
 * misspelt `--widht 1000` would otherwise run the default sizes), listing
 * the flags the benchmark takes; on a value flag without its value; and on a
 * positive-integer flag with anything else.
 */
export function parseFlags(spec: FlagSpec, argv: readonly string[] = process.argv): BenchFlags {
  const ints = spec.positiveInts ?? [];
  const values = [...spec.values, '--out'];
  // unknown words are collected (not commander's own message) so the error can list the flags taken
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true);
  for (const flag of spec.switches) program.option(flag);
  for (const flag of values) program.option(`${flag} <value>`, '', valueOf(flag));
  for (const flag of ints) program.option(`${flag} <n>`, '', positiveIntOf(flag));
  try {
    program.parse([...argv]);
  } catch (e) {
    // a required value is missing only when its flag is the last word
    if (e instanceof CommanderError && e.code === 'commander.optionMissingArgument')
      throw new Error(`${argv[argv.length - 1]}: missing value`, { cause: e });
    throw e;
  }
  if (program.args.length > 0)
    throw new Error(
      `unknown argument '${program.args[0]}'; this benchmark takes ${[...spec.switches, ...spec.values, ...ints, '--out'].join(', ')}`,
    );
  const given = (flag: string): unknown => {
    const option = program.options.find((o) => o.long === flag);
    const key = option?.attributeName() ?? '';
    return program.getOptionValueSource(key) === 'cli' ? program.getOptionValue(key) : undefined;
  };
  const pairs = <T>(flags: readonly string[]): Map<string, T> =>
    new Map(flags.flatMap((f) => (given(f) === undefined ? [] : [[f, given(f) as T]])));
  return {
    switches: new Set(spec.switches.filter((f) => given(f) !== undefined)),
    values: pairs<string>(values),
    positiveInts: pairs<number>(ints),
  };
}

/** The result file: `--out FILE` when given, else `tools/bench/results/<name>.json`. */
export function resultPath(name: string, flags: BenchFlags): string {
  return flags.values.get('--out') ?? join(__dirname, '..', 'results', `${name}.json`);
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

/**
 * Shares the reference backend's big matrix products among `threads`
 * threads (default: every available CPU, as `@sublora/backends` creates the
 * backend) and returns the count in use, for the result file.
 */
export function useReferenceThreads(threads: number = availableParallelism()): number {
  return referenceKernels.useGemmThreads(threads, startNodeGemmWorker);
}
