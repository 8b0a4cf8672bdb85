/** `sublora select`: which singular values to keep under a budget. */
import type { Command } from 'commander';
import { resolveBackend, selectBackendName } from '@sublora/backends';
import {
  determineRanks,
  METHODS,
  type MethodName,
  type RankResult,
} from '@sublora/rank-determination';
import { assertSymmetric, type Backend, InputError } from '@sublora/tensor';
import { formatNumber, formatRows } from '../format-table';
import { loadInput, toMatrix, toSigma, toVector } from '../inputs';
import { parseBudget, parseLayers, parseSeed } from '../options';
import { writeJson } from '../output';
import type { CliIo } from '../types';

/** The raw option strings of `sublora select`. */
export interface SelectOptions {
  readonly sigma: string;
  readonly grad: string;
  readonly hessian: string;
  readonly budget: string;
  readonly method: string;
  readonly layers?: string;
  readonly seed?: string;
  readonly backend?: string;
  readonly json?: boolean;
}

function parseMethod(text: string): MethodName {
  if (!(METHODS as readonly string[]).includes(text)) {
    throw new InputError(
      '--method',
      `unknown method '${text}'; use one of ${METHODS.join(', ')} (sublora methods describes them)`,
    );
  }
  return text as MethodName;
}

/** Loads and validates every input, then runs {@link determineRanks}. */
export async function runSelect(options: SelectOptions, cwd: string): Promise<RankResult> {
  const method = parseMethod(options.method);
  const sigma = toSigma(loadInput('--sigma', options.sigma, cwd));
  const r = sigma.length;
  const grad = toVector(loadInput('--grad', options.grad, cwd), r);
  const hessianInput = loadInput('--hessian', options.hessian, cwd);
  const hessian = toMatrix(hessianInput, r);
  assertSymmetric(hessianInput.label, hessian);
  const budget = parseBudget(options.budget, r);
  const layers = options.layers === undefined ? undefined : parseLayers(options.layers, r);
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed);
  const backend = await backendOf(options.backend, cwd);
  return determineRanks({ sigma, grad, hessian, budget, method, layers, seed, backend });
}

/**
 * The backend `--backend`, `SUBLORA_BACKEND` or `sublora.config.json` (in
 * `cwd`, where the inputs are read from too) names;
 * with none of them undefined: the work stays on the host (float64 loops).
 * Errors about a name given as the flag name the flag; the others already
 * say where their name came from.
 */
async function backendOf(flag: string | undefined, cwd: string): Promise<Backend | undefined> {
  try {
    const named = selectBackendName(flag, { cwd }).source !== 'default';
    return named ? await resolveBackend(flag, { cwd }) : undefined;
  } catch (e) {
    const input = (e as { input?: unknown }).input;
    if (flag === undefined || flag === '' || input !== 'backend') throw e;
    throw new InputError('--backend', (e as Error).message.replace(/^backend: /, ''));
  }
}

/** Fields of a result the table shows first, with their labels; any others follow under their own names. */
const TABLE_ROWS: readonly (readonly [keyof RankResult, string])[] = [
  ['method', 'method'],
  ['budget', 'budget'],
  ['kept', 'kept'],
  ['pruned', 'pruned'],
  ['objective', 'objective f(kept), raw Hessian'],
  ['objectiveNormalized', 'f(kept) - f(empty), raw Hessian'],
  ['predictedLossChange', 'predicted loss change'],
  ['perLayer', 'per-layer ranks'],
  ['diagnostics', 'diagnostics'],
  ['certificate', 'certificate'],
];

/** Which model a greedy method's pick gains are measured on. */
function gainsLabel(method: MethodName): string {
  return method === 'hess-g' ? 'gains (raw Hessian)' : 'gains (projected Hessian)';
}

/** Says whether `exact` proved its set optimal or stopped at its node limit, and by how much it may miss. */
function exactOptimality(result: RankResult): string | undefined {
  const { exactComplete, exactGap, exactNodes } = result.diagnostics;
  if (exactComplete === undefined) return undefined;
  if (exactComplete) return `proven optimal (searched ${exactNodes} sets)`;
  return `best of ${exactNodes} sets (node limit reached); at most ${formatNumber(exactGap ?? NaN)} below the optimum`;
}

/** The readable report of a selection over `r` singular values. */
export function formatSelectTable(result: RankResult, r: number): string {
  const known = new Set<string>(TABLE_ROWS.map(([key]) => key));
  const rows: [string, unknown][] = TABLE_ROWS.map(([key, label]) => {
    if (key === 'budget') return [label, `${result.budget} of ${r}`];
    if (key === 'diagnostics') {
      // the pick gains are on the model the method optimized, which the objective rows are not
      const entries = Object.entries(result.diagnostics).map(([k, v]) =>
        k === 'gains' ? [gainsLabel(result.method), v] : [k, v],
      );
      return [label, Object.fromEntries(entries)];
    }
    return [label, result[key]];
  });
  const afterLoss = TABLE_ROWS.findIndex(([key]) => key === 'predictedLossChange') + 1;
  rows.splice(afterLoss, 0, ['optimality', exactOptimality(result)]);
  for (const [key, value] of Object.entries(result)) if (!known.has(key)) rows.push([key, value]);
  return formatRows(rows);
}

/** Adds the `select` command to `program`. */
export function registerSelect(program: Command, io: CliIo, cwd: string): void {
  const formats = '(inline JSON, .json, .npy, or file.safetensors:name)';
  program
    .command('select')
    .description('Choose the singular values to keep under a rank budget')
    .requiredOption('--sigma <X>', `singular values of all adapted layers, length r ${formats}`)
    .requiredOption('--grad <X>', `gradient dL/dsigma, length r ${formats}`)
    .requiredOption('--hessian <X>', `Hessian d2L/dsigma2, r x r symmetric ${formats}`)
    .requiredOption(
      '--budget <B>',
      'how many values to keep: an integer 0..r, or a percentage of r such as 40%',
    )
    .requiredOption('--method <M>', `one of ${METHODS.join(', ')}`)
    .option('--layers <sizes>', 'layer sizes adding up to r, e.g. 50,50, for per-layer ranks')
    .option('--seed <S>', 'seed of the randomized methods (non-negative integer)')
    .option(
      '--backend <name>',
      'tensor backend for the O(r^2) work: reference, tfjs[:engine], onnxruntime (default: float64 host loops, unless SUBLORA_BACKEND or sublora.config.json names one)',
    )
    .option('--json', 'print the result as one JSON object')
    .action(async (options: SelectOptions) => {
      const result = await runSelect(options, cwd);
      if (options.json) writeJson(io, result);
      else io.stdout.write(formatSelectTable(result, result.kept.length + result.pruned.length));
    });
}
