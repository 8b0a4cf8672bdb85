/**
 * `@sublora/nn`: MLPs, LoRA-SVD layers, Adam and learning-rate schedules,
 * written against `@sublora/autodiff` (no backend imports).
 */
export {
  type HostTensor,
  type ParamValues,
  sizeOf,
  paramSpecs,
  bindValues,
  cloneParams,
} from './params';
export {
  type MlpShape,
  layerNames,
  layerSizes,
  initMlp,
  type TracedLinear,
  denseLinear,
  denseLayers,
  mlpForward,
  type DerivativeRequest,
  type InputDerivatives,
  mlpWithInputDerivatives,
} from './mlp';
export {
  type MaskPolicy,
  type LoraShape,
  hiddenToHidden,
  loraNames,
  SIGMA,
  loraSize,
  sigmaRange,
  initLora,
  loraLinear,
  loraLayers,
  orthogonalityPenalty,
  mergeLora,
  applyKeepMask,
} from './lora';
export { type SvdView, type SvdAdapter, svdViewSize, loraSvdAdapter } from './adapter';
export { type AdamOptions, type AdamState, createAdamState, adamStep } from './adam';
export {
  type Schedule,
  constantSchedule,
  cosineSchedule,
  stepSchedule,
  type ScheduleName,
  makeSchedule,
} from './schedules';
