/**
 * Rank truncation rules on the singular values of one layer's augmented
 * coefficient matrix (`s` sorted, largest first).
 */
import { normalizingFactors } from '@sublora/tensor';
import type { TauRule } from './config';

/**
 * `s` times the power of two that brings its largest magnitude into [1, 2),
 * so that the sums of squares below neither overflow (singular values above
 * 1e154) nor lose everything to underflow (below 1e-154). A power of two
 * scales exactly, so where no square over- or underflows either way the
 * ratios and decisions below are bit for bit those of the unscaled values.
 */
function powerOfTwoNormalized(s: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(s);
  let largest = 0;
  for (const v of out) largest = Math.max(largest, Math.abs(v));
  if (largest === 0 || !Number.isFinite(largest)) return out;
  const [f1, f2] = normalizingFactors(largest);
  for (let i = 0; i < out.length; i++) out[i] = out[i] * f1 * f2;
  return out;
}

/**
 * The rank that `truncation: 'tau'` keeps (see {@link TauRule}): the paper's
 * rule never goes below 1 (a layer of rank 0 could not augment again) and
 * keeps 1 when every `s_i` is 0; the authors' rule never goes below 2 (or the
 * number of candidates, when there are fewer).
 */
export function tauRank(values: ArrayLike<number>, tau: number, rule: TauRule): number {
  const s = powerOfTwoNormalized(values);
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
export function truncatedMass(values: ArrayLike<number>, kept: readonly number[]): number {
  const s = powerOfTwoNormalized(values);
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i] * s[i];
  if (total === 0) return 0;
  let keptMass = 0;
  for (const i of kept) keptMass += s[i] * s[i];
  return Math.max(0, (total - keptMass) / total);
}
