export * from './backend';
export * from './host';
export { TensorError } from './errors';
export {
  assertValidShape,
  broadcastShapes,
  broadcastStrides,
  broadcastsTo,
  isFusibleOperand,
  normalizeAxes,
  normalizeAxis,
  shapesEqual,
  shapeToString,
  sizeOf,
  stridesOf,
} from './shape';
export {
  referenceBackend,
  type ReferenceBackend,
  type ReferenceDescription,
} from './reference/register-all-kernels';
export {
  type BackendCreateOptions,
  type BackendDescriptor,
  referenceDescriptor,
} from './backend-descriptor';
export * as referenceKernels from './reference/shared';
export { bufferPoolBytes, clearBufferPool } from './reference/tensor';
export {
  type Random,
  type RandomState,
  type Xoshiro128,
  type Xoshiro128State,
  createRandom,
  restoreXoshiro128,
  seedXoshiro128,
} from './random';
export * from './op-table';
export { normalizingFactors } from './power-of-two';
