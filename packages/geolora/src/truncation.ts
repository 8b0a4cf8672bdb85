/**
 * Rank truncation rules on the singular values of one layer's augmented
 * coefficient matrix (`s` sorted, largest first).
 */
import type { TauRule } from './config';

/**
 * The rank that `truncation: 'tau'` keeps (see {@link TauRule}): the paper's
 * rule never goes below 1 (a layer of rank 0 could not augment again) and
 * keeps 1 when every `s_i` is 0; the authors' rule never goes below 2 (or the
 * number of candidates, when there are fewer).
 */
export function tauRank(s: ArrayLike<number>, tau: number, rule: TauRule): number {
  const k = s.length;
  // tails[r] = sum_{i >= r} s_i^2, summed from the small end
  const tails = new Float64Array(k + 1);
  for (let i = k - 1; i >= 0; i--) tails[i] = tails[i + 1] + s[i] * s[i];
  const total = tails[0];
  if (rule === 'paper') {
    if (total === 0) return Math.min(1, k);
    for (let r = 1; r <= k; r++) if (tails[r] < tau * total) return r;
    return k;
  }
  // authors: ||s_{i >= r}||_2 < tau ||s||_2, the first such r, else all; then at least 2
  let r = k;
  for (let j = 0; j < k; j++)
    if (Math.sqrt(tails[j]) < tau * Math.sqrt(total)) {
      r = j;
      break;
    }
  return Math.min(Math.max(r, 2), k);
}

/** `sum_{dropped} s_i^2 / sum_i s_i^2` (0 when every `s_i` is 0). */
export function truncatedMass(s: ArrayLike<number>, kept: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i] * s[i];
  if (total === 0) return 0;
  let keptMass = 0;
  for (const i of kept) keptMass += s[i] * s[i];
  return Math.max(0, (total - keptMass) / total);
}
