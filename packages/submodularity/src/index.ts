/**
 * @sublora/submodularity: the exact Theorem-2 check, generic submodularity and
 * monotonicity checks with counterexamples, fast-check arbitraries and properties.
 */
export { checkQuadraticSubmodularity } from './quadratic-check';
export type {
  QuadraticCheckOptions,
  QuadraticCheckResult,
  QuadraticViolation,
} from './quadratic-check';
export { checkMonotone, checkSubmodular } from './generic-check';
export type {
  MonotonicityCheckResult,
  MonotonicityCounterexample,
  SetFunctionCheckOptions,
  SubmodularityCheckResult,
  SubmodularityCounterexample,
} from './generic-check';
export {
  arbMonotoneSubmodular,
  arbQuadraticInstance,
  arbSubmodularInstance,
  buildSetFunction,
} from './arbitraries';
export type {
  ConcaveName,
  QuadraticInstance,
  QuadraticInstanceOptions,
  SetFunctionSpec,
  SizeOptions,
} from './arbitraries';
export {
  assertMonotoneProperty,
  assertSubmodularProperty,
  monotoneProperty,
  submodularProperty,
} from './properties';
export type { PropertyRunOptions } from './properties';
