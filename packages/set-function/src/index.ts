/**
 * @sublora/set-function: set functions with incremental oracles, led by the
 * SubLoRA quadratic pruned-complement objective, and the workspace's seeded RNG.
 */
export type { IncrementalOracle, SetFunction } from './set-function';
export {
  createQuadraticObjective,
  createQuadraticObjectiveFromRows,
  createQuadraticObjectiveFromValidated,
  quadraticValue,
} from './quadratic';
export type {
  DenseQuadraticObjective,
  QuadraticObjective,
  QuadraticObjectiveInput,
  QuadraticObjectiveRowsInput,
  ValidatedQuadraticObjectiveInput,
} from './quadratic';
export { denseSymmetricRows, symmetrizedRows } from './symmetric-rows';
export type { DenseSymmetricRows, SymmetricRows, SymmetrizedRows } from './symmetric-rows';
export { createModular } from './modular';
export type { ModularFunction } from './modular';
export { createCoverage } from './coverage';
export type { CoverageFunction } from './coverage';
export { createFacilityLocation } from './facility-location';
export type { FacilityLocationFunction } from './facility-location';
export { createConcaveOfModular } from './concave-of-modular';
export type { ConcaveOfModularFunction } from './concave-of-modular';
export { subsetMask } from './subset';
