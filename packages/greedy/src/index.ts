/**
 * @sublora/greedy: maximizers for any {@link SetFunction} under a cardinality
 * budget, driven by its incremental oracle.
 *
 * - {@link greedy}, {@link lazyGreedy}, {@link stochasticGreedy},
 *   {@link randomGreedy} (`'proportional'` = the SubLoRA paper's Alg. 2,
 *   `'top-k'` = Buchbinder et al.)
 * - {@link exactMaximize} (branch and bound) and {@link bruteForceMaximize}
 * - a data-dependent upper bound on OPT returned with every greedy result.
 *
 * @packageDocumentation
 */
export { greedy } from './greedy';
export type { GreedyOptions } from './greedy';
export { lazyGreedy } from './lazy';
export { stochasticGreedy } from './stochastic';
export type { StochasticGreedyOptions } from './stochastic';
export { randomGreedy } from './random-greedy';
export type { RandomGreedyOptions, RandomGreedyRule } from './random-greedy';
export { certifiedRatio } from './result';
export type { BoundAssumption, SelectionResult } from './result';
export { removalGainsOf } from './bound';
export {
  BRUTE_FORCE_MAX_ELEMENTS,
  EXACT_MAX_ELEMENTS,
  bruteForceMaximize,
  countSubsets,
  exactMaximize,
  quadraticSecondDifferences,
} from './exact';
export type { Cardinality, ExactBound, ExactOptions, ExactResult } from './exact';
