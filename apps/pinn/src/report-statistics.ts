/**
 * The report's comparison of methods across the grid: tie-aware mean ranks,
 * paired tests of SubLoRA-G against every other method (wins/ties/losses,
 * sign test, Wilcoxon signed-rank), and bootstrap confidence intervals of
 * the mean error per PDE, target and method. A cell is one PDE, target and
 * seed; only cells where every method ran take part.
 */
import { groupBy, lambdaLabel, pct, table } from './report-format';
import type { AlternatingResult, DeterminationResult, Results } from './results';
import { lambdaKey } from './results';
import { bootstrapMeanCi, meanRanks, pairedComparison } from './statistics';

/** The method every other is compared with. */
const REFERENCE_METHOD = 'sublora-g';

/** Errors per cell (rows) and method (columns), over cells that have every method. */
interface ErrorMatrix {
  readonly methods: readonly string[];
  readonly cells: readonly string[];
  readonly errors: readonly (readonly number[])[];
}

function matrixOf(
  entries: readonly { cell: string; method: string; error: number }[],
): ErrorMatrix {
  const methods = [...new Set(entries.map((e) => e.method))];
  const byCell = groupBy(entries, (e) => e.cell);
  const cells = [...byCell.keys()].filter((c) =>
    methods.every((m) => byCell.get(c)?.some((e) => e.method === m)),
  );
  const errors = cells.map((c) =>
    methods.map((m) => (byCell.get(c) ?? []).find((e) => e.method === m)?.error ?? NaN),
  );
  return { methods, cells, errors };
}

const p = (x: number): string => (x < 0.001 ? '< 0.001' : x.toFixed(3));

/** Mean ranks and the paired comparisons against the reference method, as Markdown. */
function rankAndPairs(title: string, m: ErrorMatrix): string[] {
  if (m.cells.length === 0 || m.methods.length < 2) return [];
  const ranks = meanRanks(m.errors);
  const order = m.methods.map((name, i) => ({ name, rank: ranks[i], i }));
  order.sort((a, b) => a.rank - b.rank);
  const ref = m.methods.indexOf(REFERENCE_METHOD);
  const rows = order.map(({ name, rank, i }) => {
    if (ref < 0 || i === ref) return [name, rank.toFixed(2), '-', '-', '-', '-'];
    const c = pairedComparison(
      m.errors.map((row) => row[ref]),
      m.errors.map((row) => row[i]),
    );
    return [
      name,
      rank.toFixed(2),
      `${c.wins} / ${c.ties} / ${c.losses}`,
      pct(c.meanDifference),
      p(c.signTestP),
      p(c.wilcoxonP),
    ];
  });
  return [
    `**${title}** Mean rank over ${m.cells.length} cells (1 = lowest error; ties share the average rank), and ${REFERENCE_METHOD} against each method in the same cells: wins / ties / losses of ${REFERENCE_METHOD}, mean error difference (${REFERENCE_METHOD} minus the method, percentage points), two-sided sign-test and Wilcoxon signed-rank p-values.`,
    '',
    table(
      [
        'method',
        'mean rank',
        `${REFERENCE_METHOD} W / T / L`,
        'mean diff (pp)',
        'sign p',
        'Wilcoxon p',
      ],
      rows,
    ),
    '',
  ];
}

/** 95 % bootstrap intervals of the mean error over seeds, one row per PDE, target and method. */
function bootstrapTable(
  entries: readonly { pde: string; lambda: readonly number[]; method: string; error: number }[],
): string[] {
  const groups = [
    ...groupBy(entries, (e) => `${e.pde}/${lambdaKey(e.lambda)}/${e.method}`).values(),
  ];
  if (!groups.some((g) => g.length > 1)) return [];
  const rows = groups.map((g, i) => {
    const ci = bootstrapMeanCi(
      g.map((e) => e.error),
      { seed: i + 1, resamples: 2000 },
    );
    return [
      g[0].pde,
      lambdaLabel(g[0].lambda),
      g[0].method,
      String(g.length),
      pct(ci.mean),
      `[${pct(ci.lower)}, ${pct(ci.upper)}]`,
    ];
  });
  return [
    '**Mean relative error (%) with a 95 % bootstrap interval over seeds** (2000 resamples; with 3 seeds the interval is coarse).',
    '',
    table(['PDE', 'target', 'method', 'seeds', 'mean (%)', '95 % interval (%)'], rows),
    '',
  ];
}

/** Comparison sections for alternating training and for each training-free budget. */
export function comparisonSections(results: Results): string[] {
  const out: string[] = [];
  const alternating: AlternatingResult[] = Object.values(results.alternating);
  if (alternating.length > 0) {
    const entries = alternating.map((a) => ({
      cell: `${a.pde}/${lambdaKey(a.lambda)}/seed${a.seed}`,
      method: a.method,
      error: a.finalRelError,
      pde: a.pde,
      lambda: a.lambda,
    }));
    out.push(...rankAndPairs('Alternating training.', matrixOf(entries)));
    out.push(...bootstrapTable(entries));
  }
  const determination: DeterminationResult[] = Object.values(results.determination);
  const budgets = [...new Set(determination.flatMap((d) => d.rows.map((r) => r.budget)))].sort(
    (a, b) => a - b,
  );
  for (const budget of budgets) {
    const entries = determination.flatMap((d) =>
      d.rows
        .filter((r) => r.budget === budget)
        .map((r) => ({
          cell: `${d.pde}/${lambdaKey(d.lambda)}/seed${d.seed}`,
          method: r.method,
          error: r.relErrorAfter,
        })),
    );
    out.push(...rankAndPairs(`Training-free, budget ${budget}.`, matrixOf(entries)));
  }
  return out.length > 0 ? ['## Comparing methods across the grid', '', ...out] : [];
}
