/**
 * Selection benchmark: every rank-determination method at r = 100, 1000,
 * 4096 against one plain pass over H (a float64 `H sigma` product and a sum
 * of all r^2 entries) timed in the same process, plus the pieces of the
 * SubLoRA-G host path (the fused validation + projection pass, the greedy
 * loop on the row view of G) and, for comparison, the separate validation,
 * the materializing projection and the greedy loop on a dense G.
 *
 *     npm run build -w @sublora/bench && npm run bench:selection -w @sublora/bench
 *
 * Writes tools/bench/results/selection.json (or `--out FILE`).
 */
import { exactMaximize, greedy, quadraticSecondDifferences } from '@sublora/greedy';
import { projectHessian, projectHessianRows } from '@sublora/hessian-projection';
import {
  METHODS,
  determineRanks,
  determineRanksSync,
  EXACT_MAX_RANK,
} from '@sublora/rank-determination';
import type { MethodName, RankInput } from '@sublora/rank-determination';
import { createQuadraticObjective, createQuadraticObjectiveFromRows } from '@sublora/set-function';
import { assertSymmetric, createRandom, toFloat64Matrix } from '@sublora/tensor';
import { loadavg } from 'node:os';
import { parseFlags, resultPath, timeIt, writeResults } from '../harness';
import type { Timing, TimeItOptions } from '../harness';

interface Instance {
  readonly sigma: Float64Array;
  readonly grad: Float64Array;
  readonly hessian: { readonly data: Float64Array; readonly size: number };
}

/**
 * sigma > 0; H = A A^T / r + symmetric noise with A of shape r x 32 (a
 * low-rank Gauss-Newton-like curvature plus mixed-sign off-diagonals, so the
 * projection has work to do); g small. Seeded.
 */
function makeInstance(r: number, seed: number): Instance {
  const rng = createRandom(seed);
  const k = 32;
  const sigma = Float64Array.from({ length: r }, () => 0.1 + Math.abs(rng.normal()));
  const grad = Float64Array.from({ length: r }, () => 0.05 * rng.normal());
  const a = Float64Array.from({ length: r * k }, () => rng.normal());
  const h = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    for (let j = i; j < r; j++) {
      let dot = 0;
      for (let c = 0; c < k; c++) dot += a[i * k + c] * a[j * k + c];
      const value = dot / r + 0.05 * rng.normal();
      h[i * r + j] = value;
      h[j * r + i] = value;
    }
  }
  return { sigma, grad, hessian: { data: h, size: r } };
}

/** One plain pass over H: y = H sigma. */
function matVec(h: Float64Array, x: Float64Array, r: number): Float64Array {
  const y = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let acc = 0;
    const base = i * r;
    for (let j = 0; j < r; j++) acc += h[base + j] * x[j];
    y[i] = acc;
  }
  return y;
}

/**
 * One plain pass over H: the sum of its entries, one running sum (the
 * issue's yardstick; bound by the latency of floating-point addition at
 * large r, not by memory).
 */
function sumAll(h: Float64Array): number {
  let s = 0;
  for (let i = 0; i < h.length; i++) s += h[i];
  return s;
}

/**
 * The same sum with four running sums: the cheapest pass over H there is
 * (at r = 4096 about 2.4x faster than {@link sumAll}, at the speed of memory).
 */
function sumAll4(h: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = h.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += h[i];
    s1 += h[i + 1];
    s2 += h[i + 2];
    s3 += h[i + 3];
  }
  for (; i < n; i++) s0 += h[i];
  return s0 + s1 + s2 + s3;
}

let sink = 0;

function options(r: number): TimeItOptions {
  return r >= 4096
    ? { warmup: 3, minRepeats: 5, minTotalMs: 0 }
    : r >= 1000
      ? { warmup: 2, minRepeats: 5, minTotalMs: 300 }
      : { warmup: 50, minRepeats: 200, minTotalMs: 300 };
}

/** The yardsticks are cheap: more warm-up calls and repeats than the methods get. */
function yardstickOptions(r: number): TimeItOptions {
  return r >= 1000
    ? { warmup: 10, minRepeats: 10, minTotalMs: 300 }
    : { warmup: 500, minRepeats: 1000, minTotalMs: 300 };
}

async function benchSize(r: number, budget: number): Promise<Record<string, unknown>> {
  const inst = makeInstance(r, 1000 + r);
  const opts = options(r);
  const input = (method: MethodName): RankInput => ({ ...inst, budget, method, seed: 1 });

  const onePassMatVec = await timeIt(() => {
    sink += matVec(inst.hessian.data, inst.sigma, r)[0];
  }, yardstickOptions(r));
  const onePassSum = await timeIt(() => {
    sink += sumAll(inst.hessian.data);
  }, yardstickOptions(r));
  const onePassSum4 = await timeIt(() => {
    sink += sumAll4(inst.hessian.data);
  }, yardstickOptions(r));
  const onePassOverH = onePassMatVec.medianMs;

  const methods: Record<string, unknown> = {};
  for (const method of METHODS) {
    if (method === 'exact' && r > EXACT_MAX_RANK) {
      methods[method] = {
        skipped: `exact accepts r <= ${EXACT_MAX_RANK}; see the exactSmall case`,
      };
      continue;
    }
    const asyncTiming = await timeIt(() => determineRanks(input(method)), opts);
    const syncTiming = await timeIt(() => {
      sink += determineRanksSync(input(method)).kept.length;
    }, opts);
    methods[method] = {
      determineRanks: asyncTiming,
      determineRanksSync: syncTiming,
      ratioToOnePassOverH: round(asyncTiming.medianMs / onePassOverH),
      syncRatioToOnePassOverH: round(syncTiming.medianMs / onePassOverH),
    };
  }

  // The pieces of the SubLoRA-G host path, timed apart: the one pass over H
  // that validates it, sums the projection report, G sigma and H sigma and
  // returns G as a row view; the greedy loop on that view.
  const fusedPass = await timeIt(() => {
    const m = toFloat64Matrix('hessian', inst.hessian, r, { copy: false, checkFinite: false });
    sink += projectHessianRows(m, inst.sigma).report.removedPairs;
  }, opts);
  const view = projectHessianRows(inst.hessian, inst.sigma);
  const fRows = createQuadraticObjectiveFromRows({
    sigma: inst.sigma,
    grad: inst.grad,
    rows: view.rows,
    hSigma: view.projectedHSigma,
  });
  const greedyOnRows = await timeIt(() => {
    sink += greedy(fRows, budget).value;
  }, opts);
  // For comparison: separate validation passes, the materializing projection,
  // a dense objective (copy + symmetrization) and the greedy loop on it.
  const validation = await timeIt(() => {
    const m = toFloat64Matrix('hessian', inst.hessian, r);
    assertSymmetric('hessian', m);
  }, opts);
  const projection = await timeIt(() => {
    sink += projectHessian(inst.hessian, inst.sigma).report.removedPairs;
  }, opts);
  const projected = projectHessian(inst.hessian, inst.sigma).projected;
  const objectiveSetup = await timeIt(() => {
    sink += createQuadraticObjective({ ...inst, hessian: projected }).emptyValue;
  }, opts);
  const fG = createQuadraticObjective({ ...inst, hessian: projected });
  const greedyCore = await timeIt(() => {
    sink += greedy(fG, budget).value;
  }, opts);
  const kept = determineRanksSync(input('sublora-g'));
  // what the CLI and most callers pass: number[] and number[][], converted inside the call
  const nested =
    r <= 1000
      ? {
          sigma: Array.from(inst.sigma),
          grad: Array.from(inst.grad),
          hessian: Array.from({ length: r }, (_, i) =>
            Array.from(inst.hessian.data.subarray(i * r, (i + 1) * r)),
          ),
        }
      : undefined;
  const nestedSync =
    nested &&
    (await timeIt(() => {
      sink += determineRanksSync({ ...nested, budget, method: 'sublora-g', seed: 1 }).kept.length;
    }, opts));

  const sub = methods['sublora-g'] as { determineRanks: Timing; determineRanksSync: Timing };
  return {
    r,
    budget,
    onePassOverH: {
      matVec: onePassMatVec,
      sumOfEntries: onePassSum,
      sumOfEntriesFourRunningSums: onePassSum4,
      reference: 'matVec',
    },
    methods,
    subloraGPieces: {
      fusedPass,
      fusedPassRatioToOnePassOverH: round(fusedPass.medianMs / onePassOverH),
      greedyOnRowView: greedyOnRows,
      greedyOnRowViewRatioToOnePassOverH: round(greedyOnRows.medianMs / onePassOverH),
      separateValidation: validation,
      materializingProjection: projection,
      denseObjectiveSetup: objectiveSetup,
      greedyCoreOnDenseObjective: greedyCore,
      greedyCoreOnDenseRatioToOnePassOverH: round(greedyCore.medianMs / onePassOverH),
    },
    summary: {
      subloraGAsyncMs: sub.determineRanks.medianMs,
      subloraGSyncMs: sub.determineRanksSync.medianMs,
      subloraGOverOnePassOverH: round(sub.determineRanks.medianMs / onePassOverH),
      subloraGSyncOverOnePassOverH: round(sub.determineRanksSync.medianMs / onePassOverH),
      // the yardstick: a sum of all entries, the cheapest pass there is
      subloraGOverSumOfEntries: round(sub.determineRanks.medianMs / onePassSum.medianMs),
      subloraGSyncOverSumOfEntries: round(sub.determineRanksSync.medianMs / onePassSum.medianMs),
      // against the cheapest pass there is: four running sums, at the speed of memory
      subloraGSyncOverFourSumPass: round(sub.determineRanksSync.medianMs / onePassSum4.medianMs),
      ...(nestedSync && { subloraGSyncFromNestedArraysMs: nestedSync.medianMs }),
      fusedPassOverOnePassOverH: round(fusedPass.medianMs / onePassOverH),
      greedyOnRowViewOverOnePassOverH: round(greedyOnRows.medianMs / onePassOverH),
      certificateRatio: kept.certificate?.ratio,
      violationCount: kept.diagnostics.violationCount,
    },
  };
}

/** `exact` where it applies: r = 30, b = 8, raw Hessian, pairwise bound. */
async function benchExactSmall(): Promise<Record<string, unknown>> {
  const r = 30;
  const budget = 8;
  const inst = makeInstance(r, 7);
  const f = createQuadraticObjective(inst);
  const secondDifferences = quadraticSecondDifferences(inst.sigma, inst.hessian);
  const nodes = exactMaximize(f, budget, {
    cardinality: 'exactly',
    bound: { kind: 'pairwise', secondDifferences },
  }).nodes;
  const timing = await timeIt(() => determineRanks({ ...inst, budget, method: 'exact' }), {
    warmup: 2,
    minRepeats: 5,
    minTotalMs: 300,
  });
  return { r, budget, determineRanks: timing, nodesVisited: nodes };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

async function main(): Promise<void> {
  const path = resultPath('selection', parseFlags({ switches: [], values: [] }));
  const loadAtStart = loadavg();
  const cases = [];
  for (const [r, b] of [
    [100, 40],
    [1000, 250],
    [4096, 1024],
  ] as const) {
    const result = await benchSize(r, b);
    console.log(JSON.stringify({ r, b, summary: result.summary }));
    cases.push(result);
  }
  const exactSmall = await benchExactSmall();
  writeResults(path, 'selection', {
    description:
      'Rank-determination methods vs one plain pass over H (H sigma, float64; and the sum of all entries) in the same process. exact runs only for r <= 64 (exactSmall).',
    loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    goals: {
      subloraGOverSumOfEntriesAt4096: '<= 5',
      subloraGSyncFromNestedArraysAt100Ms: '< 0.1',
    },
    cases,
    exactSmall,
    sink,
  });
  console.log(`wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
