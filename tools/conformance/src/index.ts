/**
 * `@sublora/conformance`: one suite of cases, run on every backend and
 * compared with the float64 reference backend within dtype-aware tolerances.
 */
export { KERNEL_CASES, type CaseInstance, type CaseOutput, type ConformanceCase } from './cases';
export { ERROR_CASES, type ErrorCase } from './error-cases';
export { formatReport, table } from './format';
export { GRAPH_CASES } from './graph-cases';
export type { HostTensor } from './random';
export {
  ALL_CASES,
  DEFAULT_SEED,
  runCase,
  runConformance,
  runErrorCase,
  type CaseResult,
  type ConformanceOptions,
  type ConformanceReport,
} from './run';
export { ALL_TARGETS, loadTargets, type Target } from './targets';
export {
  BASE_TOLERANCE,
  compareArrays,
  toleranceFor,
  type Discrepancy,
  type ToleranceKind,
} from './tolerance';
