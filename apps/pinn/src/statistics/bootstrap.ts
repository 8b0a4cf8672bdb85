/**
 * Percentile bootstrap confidence interval of a mean, with a seeded
 * Mersenne Twister so a report is reproducible.
 */
import mt19937 from '@stdlib/random-base-mt19937';
import { InputError } from '@sublora/tensor';
import { requireFinite } from './ranks';

/** A mean and its bootstrap interval. */
export interface BootstrapInterval {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  readonly resamples: number;
}

/** Options of {@link bootstrapMeanCi}. */
export interface BootstrapOptions {
  readonly seed: number;
  /** Default 10 000. */
  readonly resamples?: number;
  /** Default 0.95. */
  readonly confidence?: number;
}

/** Linear-interpolation quantile of sorted data (numpy's default, Hyndman-Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Resamples `values` with replacement `resamples` times and returns the
 * mean with the central `confidence` share of the resampled means.
 */
export function bootstrapMeanCi(
  values: readonly number[],
  { seed, resamples = 10_000, confidence = 0.95 }: BootstrapOptions,
): BootstrapInterval {
  if (values.length === 0) throw new InputError('values', 'empty; give at least one value');
  requireFinite('values', values);
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new InputError('resamples', `${resamples}: use a whole number >= 1`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new InputError('confidence', `${confidence}: use a number between 0 and 1, e.g. 0.95`);
  }
  if (!Number.isInteger(seed) || seed < 1 || seed > 4294967295) {
    throw new InputError('seed', `${seed}: use a whole number from 1 to 4294967295`);
  }
  const rand = mt19937.factory({ seed });
  const n = values.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    // a 32-bit draw scaled to 0..n-1 (bias below n / 2^32, far under the Monte Carlo error)
    for (let i = 0; i < n; i++) s += values[Math.floor((rand() / 4294967296) * n)];
    means[r] = s / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return {
    mean: values.reduce((a, b) => a + b, 0) / n,
    lower: quantileSorted(means, tail),
    upper: quantileSorted(means, 1 - tail),
    confidence,
    resamples,
  };
}
