/**
 * The rank-determination methods of the SubLoRA paper (and two common
 * baselines), by name. Each keeps exactly `budget` singular values.
 */

/** Every method {@link determineRanks} knows, in the order reports list them. */
export const METHODS = [
  'magnitude',
  'linear',
  'adalora',
  'diag',
  'sublora-g',
  'sublora-r',
  'hess-g',
  'exact',
] as const;

/** A method name. */
export type MethodName = (typeof METHODS)[number];

/** One row of {@link METHOD_DESCRIPTIONS}. */
export interface MethodDescription {
  /** Name as in the paper's figures. */
  readonly paperName: string;
  /** What the method keeps. */
  readonly rule: string;
  /** Cost in terms of `r` (number of singular values) and `b` (budget). */
  readonly cost: string;
  /** Whether the result depends on `seed`. */
  readonly randomized: boolean;
}

/** What each method does, for help texts and reports. */
export const METHOD_DESCRIPTIONS: Readonly<Record<MethodName, MethodDescription>> = {
  magnitude: {
    paperName: 'Magnitude',
    rule: 'keep the b largest |sigma_i|',
    cost: 'O(r log r)',
    randomized: false,
  },
  linear: {
    paperName: 'LinearLoRA',
    rule: 'first-order model, modular: keep the b smallest g_i sigma_i',
    cost: 'O(r log r)',
    randomized: false,
  },
  adalora: {
    paperName: 'AdaLoRA-style sensitivity',
    rule: 'keep the b largest |g_i sigma_i|',
    cost: 'O(r log r)',
    randomized: false,
  },
  diag: {
    paperName: 'DiagLoRA',
    rule: 'second-order model with diag(H), modular: keep the b smallest g_i sigma_i - 1/2 H_ii sigma_i^2',
    cost: 'O(r log r)',
    randomized: false,
  },
  'sublora-g': {
    paperName: 'SubLoRA-G',
    rule: 'greedy on the second-order model with the projected (submodular) Hessian',
    cost: 'O(r^2 + b r)',
    randomized: false,
  },
  'sublora-r': {
    paperName: 'SubLoRA-R',
    rule: 'randomized greedy (pick proportional to positive gain) on the projected model',
    cost: 'O(r^2 + b r)',
    randomized: true,
  },
  'hess-g': {
    paperName: 'HessLoRA-G',
    rule: 'greedy on the second-order model with the raw Hessian (no guarantee)',
    cost: 'O(r^2 + b r)',
    randomized: false,
  },
  exact: {
    paperName: 'Exact',
    rule: 'branch and bound: the best b-subset of the second-order model with the raw Hessian (r <= 64)',
    cost: 'exponential, capped at 200 000 sets; then the best set found with its certified gap',
    randomized: false,
  },
};

/** Largest `r` the `exact` method accepts. */
export const EXACT_MAX_RANK = 64;

/**
 * Most sets `exact` visits (about 0.3 s on one core). Past it, `exact`
 * returns the best set found with a certified gap to the optimum
 * (`diagnostics.exactComplete: false`, `diagnostics.exactGap`).
 */
export const EXACT_MAX_NODES = 200_000;
