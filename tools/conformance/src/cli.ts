/**
 * The conformance command: run the suite on the chosen (or every) backend,
 * print tables, write JSON results. `main.ts` is its entry point.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { DType } from '@sublora/tensor';
import { formatReport, table } from './format';
import { DEFAULT_SEED, runConformance, type ConformanceReport } from './run';
import { ALL_TARGETS, loadTargets } from './targets';

/** One backend's entry in the JSON results. */
export interface TargetResults {
  readonly name: string;
  readonly available: boolean;
  readonly reason?: string;
  /** The backend's own `describe()` (tfjs: engine and device), if it has one. */
  readonly description?: unknown;
  readonly reports: readonly ConformanceReport[];
}

/** The JSON file the command writes. */
export interface ConformanceResults {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly seed: number;
  readonly targets: readonly TargetResults[];
}

/** Options of {@link runConformanceCommand}. */
export interface CommandOptions {
  /** Backend names (default: every target; unavailable ones are reported, not fatal). */
  readonly backends?: readonly string[];
  /** Restrict to one dtype (default: every dtype each backend computes in). */
  readonly dtype?: DType;
  readonly seed?: number;
  readonly tolerance?: number;
  /** Where to write JSON; `null` writes nothing. */
  readonly out: string | null;
  /** Where tables go (default: stdout). */
  readonly print?: (text: string) => void;
}

/**
 * Runs the suite as the command does. Returns the results and the exit code:
 * 0 all passed, 1 a case failed, 2 a backend named explicitly is unavailable.
 */
export async function runConformanceCommand(
  options: CommandOptions,
): Promise<{ results: ConformanceResults; exitCode: number }> {
  const print = options.print ?? ((t: string) => process.stdout.write(`${t}\n`));
  const seed = options.seed ?? DEFAULT_SEED;
  const explicit = options.backends !== undefined && options.backends.length > 0;
  const targets = await loadTargets(explicit ? options.backends : ALL_TARGETS);
  const entries: TargetResults[] = [];
  let exitCode = 0;
  for (const target of targets) {
    if (!('backend' in target)) {
      entries.push({ name: target.name, available: false, reason: target.reason, reports: [] });
      if (explicit) exitCode = 2;
      continue;
    }
    const { backend } = target;
    const dtypes = options.dtype
      ? backend.dtypes.filter((d) => d === options.dtype)
      : backend.dtypes;
    const reports: ConformanceReport[] = [];
    for (const dtype of dtypes) {
      const report = await runConformance(backend, { dtype, seed, tolerance: options.tolerance });
      reports.push(report);
      print(`${formatReport(target.name, report)}\n`);
      if (report.failed > 0 && exitCode === 0) exitCode = 1;
    }
    const describe = (backend as { describe?: unknown }).describe;
    entries.push({
      name: target.name,
      available: true,
      ...(typeof describe === 'function' ? { description: describe.call(backend) } : {}),
      reports,
    });
  }
  const summary = entries.flatMap((e) =>
    e.available
      ? e.reports.map((r) => [e.name, r.dtype, String(r.passed), String(r.failed)])
      : [[e.name, '-', '-', '-', e.reason ?? '']],
  );
  print(
    table(
      ['backend', 'dtype', 'passed', 'failed', 'unavailable because'],
      summary.map((r) => [...r, ...Array(5 - r.length).fill('')]),
    ),
  );
  const results: ConformanceResults = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    seed,
    targets: entries,
  };
  if (options.out !== null) {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    print(`results written to ${options.out}`);
  }
  return { results, exitCode };
}

function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

/** Parses `argv` and runs; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('conformance')
    .description('Run the cross-backend conformance suite against the float64 reference backend.')
    .option(
      '-b, --backend <name...>',
      `backends to test (default: all of ${ALL_TARGETS.join(', ')})`,
    )
    .option('-d, --dtype <dtype>', 'only this dtype: float32 or float64')
    .option('-s, --seed <n>', 'seed of the random shapes and values', number, DEFAULT_SEED)
    .option('-t, --tolerance <x>', 'multiply every non-exact tolerance by x', number, 1)
    .option(
      '-o, --out <file>',
      'JSON results file',
      path.join(__dirname, '..', 'results', 'conformance.json'),
    )
    .option('--no-out', 'do not write JSON');
  program.parse(argv, { from: 'node' });
  const o = program.opts<{
    backend?: string[];
    dtype?: string;
    seed: number;
    tolerance: number;
    out: string | false;
  }>();
  if (o.dtype !== undefined && o.dtype !== 'float32' && o.dtype !== 'float64') {
    process.stderr.write(`conformance: --dtype must be float32 or float64, got '${o.dtype}'\n`);
    return 2;
  }
  const { exitCode } = await runConformanceCommand({
    backends: o.backend,
    dtype: o.dtype as DType | undefined,
    seed: o.seed,
    tolerance: o.tolerance,
    out: o.out === false ? null : o.out,
  });
  return exitCode;
}
