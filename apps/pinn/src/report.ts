/**
 * `report.md` and the plots, built from `results.json` alone, so
 * `sublora-pinn report` can regenerate them at any time. Tables follow the
 * paper: Table 1 (rank-determination runtime per method and budget) and
 * Table 2 (alternating training: final loss and relative error per PDE,
 * lambda and method); every number is the mean over seeds, with the sample
 * standard deviation when there is more than one seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareRuns } from './compare';
import type { PinnConfig } from './config';
import {
  type AllocationPoint,
  type BudgetPoint,
  type TrajectoryPoint,
  allocationSpec,
  errorVsBudgetSpec,
  trajectorySpec,
  writeChart,
} from './plots';
import {
  type CurvatureSummary,
  type DeterminationResult,
  type DeterminationRow,
  type Results,
  lambdaKey,
} from './results';
import { fmt, groupBy, lambdaLabel, meanAndSpread, pct, sci, table } from './report-format';
import { comparisonSections } from './report-statistics';

export { meanAndSpread } from './report-format';

function determinationSections(groups: Map<string, DeterminationResult[]>): string[] {
  const out: string[] = [];
  for (const runs of groups.values()) {
    const { pde, lambda } = runs[0];
    const methods = [...new Set(runs[0].rows.map((r) => r.method))];
    const budgets = [...new Set(runs[0].rows.map((r) => r.budget))].sort((a, b) => a - b);
    const cell = (
      method: string,
      budget: number,
      pick: (row: DeterminationResult['rows'][number]) => number,
      format?: (x: number) => string,
    ) =>
      fmt(
        runs.flatMap((run) =>
          run.rows.filter((r) => r.method === method && r.budget === budget).map(pick),
        ),
        format,
      );
    out.push(`### ${pde}, lambda = ${lambdaLabel(lambda)}`);
    out.push(
      `Fine-tuned (unpruned): loss ${fmt(runs.map((r) => r.lossFinetuned))}, relative error ${fmt(
        runs.map((r) => r.relErrorFinetuned),
        pct,
      )} %. ` +
        `Gradient and Hessian w.r.t. sigma: ${fmt(
          runs.map((r) => r.derivativeSeconds),
          (x) => x.toFixed(3),
        )} s (shared by all methods).`,
    );
    const curved = runs.filter((run) => run.curvature !== undefined);
    if (curved.length > 0) {
      out.push('**Curvature at the fine-tuned point (g and H w.r.t. sigma).**');
      out.push(
        table(
          [
            'seed',
            '‖g‖',
            'λmin(H)',
            'λmax(H)',
            'cond(H)',
            'negative λ',
            'off-diagonal zeroed by projection (%)',
            'Frobenius share removed (%)',
          ],
          curved.map((run) => {
            const c = run.curvature as CurvatureSummary;
            return [
              String(run.seed),
              sci(c.gradNorm),
              sci(c.eigenMin),
              sci(c.eigenMax),
              sci(c.conditionNumber),
              String(c.negativeEigenvalues),
              pct(c.projectionZeroedShare),
              pct(c.projectionFrobeniusShare),
            ];
          }),
        ),
      );
    }
    out.push('**Table 1 shape: rank-determination runtime (seconds) per method and budget.**');
    out.push(
      table(
        ['method \\ budget', ...budgets.map(String)],
        methods.map((m) => [m, ...budgets.map((b) => cell(m, b, (r) => r.seconds))]),
      ),
    );
    out.push('**Relative L2 error (%) after pruning.**');
    out.push(
      table(
        ['method \\ budget', ...budgets.map(String)],
        methods.map((m) => [m, ...budgets.map((b) => cell(m, b, (r) => r.relErrorAfter, pct))]),
      ),
    );
    out.push('**Loss after pruning.**');
    out.push(
      table(
        ['method \\ budget', ...budgets.map(String)],
        methods.map((m) => [m, ...budgets.map((b) => cell(m, b, (r) => r.lossAfter))]),
      ),
    );
    out.push('**Loss increase: predicted by the second-order model / measured.**');
    out.push(
      table(
        ['method \\ budget', ...budgets.map(String)],
        methods.map((m) => [
          m,
          ...budgets.map(
            (b) =>
              `${cell(m, b, (r) => r.predictedIncrease)} / ${cell(m, b, (r) => r.measuredIncrease)}`,
          ),
        ]),
      ),
    );
    out.push(
      '**Relative error of the predicted loss change, |predicted - measured| / |measured|.**',
    );
    out.push(
      table(
        ['method \\ budget', ...budgets.map(String)],
        methods.map((m) => [
          m,
          ...budgets.map((b) =>
            cell(
              m,
              b,
              (r) =>
                Math.abs(r.predictedIncrease - r.measuredIncrease) / Math.abs(r.measuredIncrease),
            ),
          ),
        ]),
      ),
    );
    out.push(...lossErrorDisagreements(runs, methods, budgets));
  }
  return out;
}

/**
 * Budgets where the method with the lowest mean PINN loss after pruning is
 * not the one with the lowest mean error: the loss is only a proxy for the
 * error, and the report says so where they part.
 */
function lossErrorDisagreements(
  runs: readonly DeterminationResult[],
  methods: readonly string[],
  budgets: readonly number[],
): string[] {
  const lines: string[] = [];
  for (const b of budgets) {
    const mean = (m: string, pick: (row: DeterminationRow) => number) =>
      meanAndSpread(
        runs.flatMap((run) => run.rows.filter((r) => r.method === m && r.budget === b).map(pick)),
      ).mean;
    const best = (pick: (row: DeterminationRow) => number) =>
      methods.reduce((x, y) => (mean(y, pick) < mean(x, pick) ? y : x));
    const byLoss = best((r) => r.lossAfter);
    const byError = best((r) => r.relErrorAfter);
    if (byLoss !== byError)
      lines.push(
        `- Budget ${b}: the lowest loss after pruning is \`${byLoss}\`'s, the lowest error \`${byError}\`'s (loss and error disagree here).`,
      );
  }
  return lines.length > 0
    ? ['**Where loss and error disagree on the best method (means over seeds).**', ...lines]
    : [];
}

/** Builds the Markdown report (plots are referenced by relative path). */
export function buildReport(results: Results, plots: readonly string[]): string {
  const config = results.config as PinnConfig | undefined;
  const out: string[] = ['# sublora-pinn report', ''];
  if (config) {
    out.push(
      `Run \`${config.name}\` (preset \`${config.preset}\`), backend \`${results.backend ?? config.backend}\`. ` +
        `MLP width ${config.network.width}, ${config.network.depth} hidden layers, LoRA rank ${config.network.rank} on ${config.network.depth - 1} hidden-to-hidden layers; ` +
        `${config.points.interior} interior / ${config.points.boundary} boundary / ${config.points.initial} initial points, mu_b = ${config.muB}; ` +
        `epochs: pretrain ${config.epochs.pretrain}, fine-tune ${config.epochs.finetune}; alternating T = ${config.alternating.rounds}, E = ${config.alternating.epochs}. ` +
        `Seeds: ${config.seeds.join(', ')}. The resolved configuration is in \`config.json\`.`,
      '',
    );
  }

  const pretrain = Object.values(results.pretrain);
  if (pretrain.length > 0) {
    out.push('## Pretraining and LoRA fine-tuning', '');
    const rows = [...groupBy(pretrain, (p) => p.pde).values()].map((runs) => [
      runs[0].pde,
      lambdaLabel(runs[0].lambda),
      fmt(runs.map((r) => r.loss)),
      fmt(
        runs.map((r) => r.relError),
        pct,
      ),
    ]);
    out.push(table(['PDE', 'pretrain lambda', 'loss', 'rel (%)'], rows), '');
    const finetune = Object.values(results.finetune);
    if (finetune.length > 0) {
      const ftRows = [...groupBy(finetune, (f) => `${f.pde}/${lambdaKey(f.lambda)}`).values()].map(
        (runs) => [
          runs[0].pde,
          lambdaLabel(runs[0].lambda),
          fmt(
            runs.map((r) => r.relErrorPretrained),
            pct,
          ),
          fmt(runs.map((r) => r.loss)),
          fmt(
            runs.map((r) => r.relErrorFinetuned),
            pct,
          ),
          runs.every((r) => r.converged)
            ? 'yes'
            : `**NO** (${runs.filter((r) => !r.converged).length}/${runs.length} seeds)`,
        ],
      );
      out.push(
        table(
          [
            'PDE',
            'target lambda',
            'pretrained rel (%)',
            'fine-tuned loss',
            'fine-tuned rel (%)',
            'improved on pretrained',
          ],
          ftRows,
        ),
        '',
      );
      if (finetune.some((f) => f.ranks !== undefined)) {
        out.push('### Final ranks (rank-adaptive fine-tuning)', '');
        out.push(compareRuns([{ name: config?.name ?? 'this run', results }], 4), '');
      }
      if (finetune.some((f) => !f.converged)) {
        out.push(
          '> **Warning:** fine-tuning did not improve on the pretrained network for some runs; rank-determination results there are not meaningful.',
          '',
        );
      }
    }
  }

  const determination = Object.values(results.determination);
  if (determination.length > 0) {
    out.push('## Training-free rank determination (Alg. 3)', '');
    out.push(
      ...determinationSections(
        groupBy(determination, (d) => `${d.pde}/${lambdaKey(d.lambda)}`),
      ).flatMap((s) => [s, '']),
    );
  }

  const alternating = Object.values(results.alternating);
  if (alternating.length > 0) {
    out.push('## Alternating training and rank determination (Alg. 4)', '');
    const lambdas = [...new Set(alternating.map((a) => lambdaKey(a.lambda)))];
    const byRow = groupBy(alternating, (a) => `${a.pde}/${a.method}`);
    const rows = [...byRow.values()].map((runs) => [
      runs[0].pde,
      runs[0].method,
      ...lambdas.flatMap((l) => {
        const at = runs.filter((r) => lambdaKey(r.lambda) === l);
        return [
          fmt(at.map((r) => r.finalLoss)),
          fmt(
            at.map((r) => r.finalRelError),
            pct,
          ),
        ];
      }),
    ]);
    out.push(
      `**Table 2 shape: final loss and relative error (%) after the last rank determination, budget b = ${alternating[0].budget}.**`,
      '',
    );
    out.push(
      table(
        [
          'PDE',
          'method',
          ...lambdas.flatMap((l) => [
            `loss ${lambdaLabel(l.split('_').map(Number))}`,
            `rel (%) ${lambdaLabel(l.split('_').map(Number))}`,
          ]),
        ],
        rows,
      ),
      '',
    );
  }

  out.push(...comparisonSections(results));

  if (plots.length > 0) {
    out.push('## Plots', '');
    for (const p of plots.filter((f) => f.endsWith('.svg')))
      out.push(`![${path.basename(p, '.svg')}](${p})`, '');
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** Writes every plot for the results into `<outDir>/plots`; returns paths relative to `outDir`. */
export async function writePlots(outDir: string, results: Results): Promise<string[]> {
  const dir = path.join(outDir, 'plots');
  const written: string[] = [];
  const add = (paths: string[]) => written.push(...paths.map((p) => path.relative(outDir, p)));
  for (const runs of groupBy(
    Object.values(results.determination),
    (d) => `${d.pde}/${lambdaKey(d.lambda)}`,
  ).values()) {
    const { pde, lambda } = runs[0];
    const tag = `${pde}-${lambdaKey(lambda)}`;
    const points: BudgetPoint[] = runs.flatMap((run) =>
      run.rows.map((r) => ({
        method: r.method,
        budget: r.budget,
        seed: run.seed,
        relErrorPct: 100 * r.relErrorAfter,
      })),
    );
    const reference = 100 * meanAndSpread(runs.map((r) => r.relErrorFinetuned)).mean;
    add(
      await writeChart(
        dir,
        `error-vs-budget-${tag}`,
        errorVsBudgetSpec(
          {
            text: `${pde}, lambda = ${lambdaLabel(lambda)}: error after pruning`,
            subtitle: `line: mean over seeds ${runs.map((r) => r.seed).join(', ')}; dots: each seed; dashed: unpruned`,
          },
          points,
          reference,
        ),
      ),
    );
    // mean over seeds of each layer's kept count (one seed: its counts)
    const allocation: AllocationPoint[] = [];
    for (const rows of groupBy(
      runs.flatMap((run) => run.rows),
      (r) => `${r.method}/${r.budget}`,
    ).values()) {
      rows[0].perLayer.forEach((_, i) =>
        allocation.push({
          method: rows[0].method,
          budget: rows[0].budget,
          layer: `W${i + 1}`,
          kept: meanAndSpread(rows.map((r) => r.perLayer[i])).mean,
        }),
      );
    }
    const seeds = runs.map((r) => r.seed);
    const over = seeds.length > 1 ? `mean over seeds ${seeds.join(', ')}` : `seed ${seeds[0]}`;
    add(
      await writeChart(
        dir,
        `rank-allocation-${tag}`,
        allocationSpec(
          `${pde}, lambda = ${lambdaLabel(lambda)}, ${over}: kept singular values per layer`,
          allocation,
        ),
      ),
    );
  }
  for (const runs of groupBy(
    Object.values(results.alternating),
    (a) => `${a.pde}/${lambdaKey(a.lambda)}`,
  ).values()) {
    const { pde, lambda } = runs[0];
    const seed = Math.min(...runs.map((r) => r.seed));
    const points: TrajectoryPoint[] = runs
      .filter((r) => r.seed === seed)
      .flatMap((r) =>
        r.trajectory.map((p) => ({
          method: r.method,
          epoch: p.epoch,
          loss: p.loss,
          stage: p.stage,
        })),
      );
    add(
      await writeChart(
        dir,
        `alternating-${pde}-${lambdaKey(lambda)}`,
        trajectorySpec(
          `${pde}, lambda = ${lambdaLabel(lambda)}, seed ${seed}: alternating training (crosses: after pruning)`,
          points,
        ),
      ),
    );
  }
  return written;
}

/** Writes `report.md` and the plots for a run directory. */
export async function writeReport(
  outDir: string,
  results: Results,
): Promise<{ report: string; plots: string[] }> {
  const plots = await writePlots(outDir, results);
  const report = path.join(outDir, 'report.md');
  fs.writeFileSync(report, buildReport(results, plots));
  return { report, plots };
}
