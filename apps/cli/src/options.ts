/**
 * Parsing of the scalar options of `sublora select`. Each failure is an
 * {@link InputError} naming the flag and the fix (exit code 1).
 */
import { InputError } from '@sublora/tensor';

/**
 * The budget: an integer count `0..r`, or a percentage of `r` written `P%`
 * (`0 <= P <= 100`), which keeps `floor(r * P / 100)` values, computed
 * exactly from the decimal digits of `P`.
 */
export function parseBudget(text: string, r: number): number {
  const trimmed = text.trim();
  const percent = /^(\d+)(?:\.(\d+))?%$/.exec(trimmed);
  if (percent) {
    // P = digits / 10^d exactly; in floating point 375 * 18.4 / 100 is
    // 68.99999999999999 and would keep one value too few
    const fraction = percent[2] ?? '';
    const digits = BigInt(percent[1] + fraction);
    const denominator = 100n * 10n ** BigInt(fraction.length);
    if (digits > denominator) {
      throw new InputError(
        '--budget',
        `${trimmed} is more than 100%; pass a percentage in 0%..100%`,
      );
    }
    return Number((BigInt(r) * digits) / denominator);
  }
  const b = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(b)) {
    throw new InputError(
      '--budget',
      `'${text}' is not an integer; pass a count in 0..${r} or a percentage of r such as 40%`,
    );
  }
  if (b < 0 || b > r) {
    throw new InputError(
      '--budget',
      `${b} is outside 0..${r} (r = ${r} singular values); pass a count in that range`,
    );
  }
  return b;
}

/** Layer sizes `50,50`: positive integers that add up to `r`. */
export function parseLayers(text: string, r: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const sizes = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  const bad = sizes.findIndex((n) => !Number.isSafeInteger(n) || n <= 0);
  if (bad >= 0) {
    throw new InputError(
      '--layers',
      `entry '${parts[bad]}' is not a positive integer; pass sizes such as 50,50`,
    );
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== r) {
    throw new InputError(
      '--layers',
      `sizes ${sizes.join(',')} add up to ${total} but sigma has ${r} values; make them sum to ${r}`,
    );
  }
  return sizes;
}

/** A seed: a non-negative safe integer. */
export function parseSeed(text: string): number {
  const seed = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(seed)) {
    throw new InputError('--seed', `'${text}' is not a non-negative integer; pass e.g. --seed 42`);
  }
  return seed;
}
