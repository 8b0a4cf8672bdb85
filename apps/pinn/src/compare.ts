/**
 * Runs side by side (`sublora-pinn compare`): for each run and target, the
 * fine-tuned adapter's final rank per layer, loss, error and fine-tuning
 * time, and each alternating method (LoRA-SVD + SubLoRA, the AdaLoRA-cubic
 * baseline) at its budget. Adapter families and truncation rules are
 * separate runs (`--name` each) on the same pretrained networks; this puts
 * them in one table.
 */
import type { PinnConfig } from './config';
import { fmt, groupBy, lambdaLabel, meanAndSpread, pct, table } from './report-format';
import type { AlternatingResult, DeterminationResult, FinetuneResult, Results } from './results';
import { lambdaKey } from './results';

/** One run's results under the name it is shown by. */
export interface NamedResults {
  readonly name: string;
  readonly results: Results;
}

/** The adapter and its rank rule, in a few words (e.g. `geolora budget-sublora-g b=6, adam/10`). */
export function adapterLabel(config: PinnConfig | undefined): string {
  if (!config) return '?';
  if (config.adapter === 'geolora') {
    const g = config.geolora;
    const rule =
      g.truncation === 'tau' ? `tau=${g.tau} (${g.rule})` : `${g.truncation} b=${g.budget}`;
    const opt = g.optimizer === 'adam' ? `, adam/${g.augmentEvery}` : '';
    return `geolora ${rule}, rmax ${g.rmax}${opt}`;
  }
  if (config.adapter === 'polar') return `polar rank ${config.polar.rank}, ${config.polar.step}`;
  return `lora-svd rank ${config.network.rank}`;
}

/** Per-seed ranks as `4/2; 3/3` (seed order), `-` when a rank-fixed adapter recorded none. */
function rankCell(ranks: readonly (readonly number[] | undefined)[]): string {
  return ranks.every((r) => r !== undefined) ? ranks.map((r) => r!.join('/')).join('; ') : '-';
}

function totalCell(ranks: readonly (readonly number[] | undefined)[]): string {
  if (!ranks.every((r) => r !== undefined)) return '-';
  const { mean } = meanAndSpread(ranks.map((r) => r!.reduce((a, b) => a + b, 0)));
  return mean.toFixed(1);
}

const bySeed = <T extends { seed: number }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => a.seed - b.seed);

/**
 * The comparison table as Markdown, one section per PDE and target.
 * @param level - heading level of the sections (3: `###`)
 */
export function compareRuns(runs: readonly NamedResults[], level = 3): string {
  const rows = new Map<string, string[][]>();
  const add = (key: string, row: string[]) => rows.set(key, [...(rows.get(key) ?? []), row]);
  for (const { name, results } of runs) {
    const config = results.config as PinnConfig | undefined;
    const groups = groupBy(
      Object.values(results.finetune),
      (f) => `${f.pde}/${lambdaKey(f.lambda)}`,
    );
    for (const [key, fts] of groups) {
      const seeds = bySeed<FinetuneResult>(fts);
      add(key, [
        name,
        adapterLabel(config),
        rankCell(seeds.map((f) => f.ranks)),
        totalCell(seeds.map((f) => f.ranks)),
        fmt(seeds.map((f) => f.loss)),
        fmt(
          seeds.map((f) => f.relErrorFinetuned),
          pct,
        ),
        fmt(
          seeds.map((f) => f.seconds),
          (x) => x.toFixed(1),
        ),
      ]);
    }
    const alternating = groupBy(
      Object.values(results.alternating),
      (a) => `${a.pde}/${lambdaKey(a.lambda)}\u0000${a.method}`,
    );
    for (const [both, as] of alternating) {
      const [key, method] = both.split('\u0000');
      const seeds = bySeed<AlternatingResult>(as);
      add(key, [
        `${name} + alternating`,
        `${method} b=${seeds[0].budget}`,
        rankCell(seeds.map((a) => a.perLayer)),
        totalCell(seeds.map((a) => a.perLayer)),
        fmt(seeds.map((a) => a.finalLoss)),
        fmt(
          seeds.map((a) => a.finalRelError),
          pct,
        ),
        fmt(
          seeds.map((a) => a.seconds),
          (x) => x.toFixed(1),
        ),
      ]);
    }
  }
  const header = [
    'run',
    'adapter / method',
    'final rank per layer (by seed)',
    'total rank (mean)',
    'loss',
    'rel (%)',
    'seconds',
  ];
  const out: string[] = [];
  for (const [key, body] of rows) {
    const [pde, lambda] = key.split('/');
    out.push(
      `${'#'.repeat(level)} ${pde}, lambda = ${lambdaLabel(lambda.split('_').map(Number))}`,
      '',
    );
    out.push(table(header, body), '');
  }
  out.push(
    'Values are mean ± sample sd over seeds; seconds are fine-tuning (or alternating) wall time per seed.',
  );
  const pruning = pruningSections(runs, level);
  if (pruning.length > 0) out.push('', ...pruning);
  return out.join('\n');
}

/**
 * Error after training-free pruning with SubLoRA-G (Alg. 3) at every budget,
 * per run (its own fine-tuned adapter, seen through its SVD view), one
 * section per PDE and target. Empty when no run determined ranks.
 */
function pruningSections(runs: readonly NamedResults[], level: number): string[] {
  const method = 'sublora-g';
  const byTarget = new Map<string, { name: string; results: DeterminationResult[] }[]>();
  for (const { name, results } of runs) {
    const groups = groupBy(
      Object.values(results.determination),
      (d) => `${d.pde}/${lambdaKey(d.lambda)}`,
    );
    for (const [key, ds] of groups)
      byTarget.set(key, [...(byTarget.get(key) ?? []), { name, results: ds }]);
  }
  const out: string[] = [];
  for (const [key, entries] of byTarget) {
    const budgets = [
      ...new Set(
        entries.flatMap((e) =>
          e.results.flatMap((d) => d.rows.filter((r) => r.method === method).map((r) => r.budget)),
        ),
      ),
    ].sort((a, b) => a - b);
    if (budgets.length === 0) continue;
    const [pde, lambda] = key.split('/');
    out.push(
      `${'#'.repeat(level)} ${pde}, lambda = ${lambdaLabel(lambda.split('_').map(Number))}: rel (%) after ${method} pruning`,
      '',
    );
    const rows = entries.map(({ name, results }) => [
      name,
      ...budgets.map((b) => {
        const errors = results.flatMap((d) =>
          d.rows.filter((r) => r.method === method && r.budget === b).map((r) => r.relErrorAfter),
        );
        return errors.length > 0 ? fmt(errors, pct) : '-';
      }),
    ]);
    out.push(table(['run', ...budgets.map((b) => `b = ${b}`)], rows), '');
  }
  return out;
}
