/**
 * `@sublora/polar`: PoLAR adapters (`Delta W = (alpha / r) X Theta Y^T`, `X`
 * and `Y` on Stiefel manifolds) on `@sublora/autodiff` graphs, their landing
 * and retraction steps, stable-rank diagnostics, and the SVD view through
 * which SubLoRA's rank determination prunes them. Pure: no backend, no I/O.
 */
export {
  type PolarShape,
  polarNames,
  checkPolarShape,
  initPolar,
  polarLinear,
  polarLayers,
} from './layer';
export { landingField, riemannianGradient, qrRetraction } from './stiefel';
export { thetaMatrix, updateSingularValues, stableRank, orthogonalityErrors } from './diagnostics';
export { polarSvdAdapter } from './svd-adapter';
export { type PolarStepOptions, type PolarState, createPolarState, polarStep } from './step';
