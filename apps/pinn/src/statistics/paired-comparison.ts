/**
 * Paired comparison of two methods over the same cells (PDE, seed, target,
 * budget): wins, ties and losses, the two-sided sign test (exact binomial on
 * the untied pairs) and the two-sided Wilcoxon signed-rank test (zeros
 * dropped; exact distribution for up to 50 pairs without ties, else the
 * normal approximation with the tie correction and no continuity correction,
 * as `scipy.stats.wilcoxon` does).
 */
import binomialTest from '@stdlib/stats-binomial-test';
import wilcoxon from '@stdlib/stats-wilcoxon';
import { InputError } from '@sublora/tensor';
import { requireFinite } from './ranks';

/** How method A fared against method B (lower error wins). */
export interface PairedComparison {
  readonly n: number;
  /** Cells where A's error is lower. */
  readonly wins: number;
  readonly ties: number;
  /** Cells where B's error is lower. */
  readonly losses: number;
  /** Mean of `a - b` (negative: A better on average). */
  readonly meanDifference: number;
  /** Two-sided sign-test p-value over the untied pairs; 1 when all are tied. */
  readonly signTestP: number;
  /** Two-sided Wilcoxon signed-rank p-value; 1 when all are tied. */
  readonly wilcoxonP: number;
}

/** Compares errors `a` and `b` cell by cell. */
export function pairedComparison(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length) {
    throw new InputError('b', `has ${b.length} cells, a has ${a.length}; pair every cell`);
  }
  if (a.length === 0) throw new InputError('a', 'no cells; give at least one pair');
  requireFinite('a', a);
  requireFinite('b', b);
  let wins = 0;
  let losses = 0;
  let sum = 0;
  a.forEach((x, i) => {
    if (x < b[i]) wins += 1;
    else if (x > b[i]) losses += 1;
    sum += x - b[i];
  });
  const untied = wins + losses;
  // the libraries reject a sample with no untied pair; then there is no evidence either way
  const signTestP = untied === 0 ? 1 : binomialTest(wins, untied).pValue;
  // stdlib's Wilcoxon needs two pairs; with one, the exact two-sided p-value is 2 x 1/2 = 1
  const wilcoxonP =
    untied === 0 || a.length < 2
      ? 1
      : wilcoxon(a as number[], b as number[], { correction: false }).pValue;
  return {
    n: a.length,
    wins,
    ties: a.length - untied,
    losses,
    meanDifference: sum / a.length,
    signTestP: Math.min(1, signTestP),
    wilcoxonP: Math.min(1, wilcoxonP),
  };
}
