/**
 * `@sublora/geolora`: GeoLoRA adapters (`W = W0 + U S V^T`, `U` and `V`
 * orthonormal) on `@sublora/autodiff` graphs, the geometric step with basis
 * augmentation and rank truncation (per-layer tolerance or a global budget
 * under any `@sublora/rank-determination` method), and the SVD view through
 * which SubLoRA prunes them. Pure: no backend, no I/O.
 */
export {
  type Truncation,
  TRUNCATIONS,
  type TauRule,
  type SOptimizer,
  type GeoloraConfig,
  type ResolvedGeoloraConfig,
  resolveGeoloraConfig,
} from './config';
export {
  geoloraNames,
  type GeoloraState,
  type GeoloraFactors,
  createGeoloraState,
  initGeolora,
  geoloraLinear,
  geoloraLayers,
  embed,
  leadingBlock,
} from './layer';
export { tauRank, truncatedMass } from './truncation';
export {
  type GeoloraGrads,
  type GeoloraStepReport,
  type CandidateCurvature,
  type CurvatureHook,
  GeoloraStepError,
  needsCurvature,
  geoloraStep,
  geoloraStepWithCurvature,
} from './step';
export { geoloraSvdAdapter } from './svd-adapter';
