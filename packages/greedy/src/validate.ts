/**
 * Up-front validation shared by every solver: a bad budget or option is a
 * one-line `InputError` naming the input, never a crash mid-run.
 */
import { InputError } from '@sublora/tensor';

/** Throws unless `budget` is an integer in `[0, n]`. */
export function assertBudget(budget: number, n: number): void {
  if (!Number.isInteger(budget) || budget < 0 || budget > n) {
    throw new InputError(
      'budget',
      `${String(budget)} is not an integer in [0, ${n}]; pass how many elements to select, at most the ground-set size ${n}`,
    );
  }
}

/** Throws unless `seed` is a safe integer. */
export function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new InputError('seed', `${String(seed)} is not a safe integer; pass e.g. 0 or 12345`);
  }
}

/** Throws on a NaN gain: a set function that returns NaN would make every comparison silently false. */
export function assertGainNotNaN(gain: number, element: number): void {
  if (Number.isNaN(gain)) {
    throw new InputError(
      'f',
      `the marginal gain of element ${element} is NaN; the set function must return numbers`,
    );
  }
}
