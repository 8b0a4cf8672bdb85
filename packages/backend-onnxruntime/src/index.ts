/**
 * `@sublora/backend-onnxruntime`: a lazy Backend over onnxruntime-node, ONNX
 * model building, saving and loading.
 */
export { ONNXRUNTIME_HINTS, createOnnxruntimeBackend } from './onnxruntime-backend';
export { OPTIMIZER_MAX_NODES, defaultGraphOptimizationLevel } from './optimization-level';
export type { GraphOptimizationLevel } from './optimization-level';
export { PARALLEL_MIN_ELEMENTS, defaultIntraOpNumThreads } from './threads';
export { MEM_PATTERN_MAX_ELEMENTS } from './memory-pattern';
export { backendDescriptor } from './descriptor';
export type {
  ExportOnnxOptions,
  OnnxruntimeBackend,
  OnnxruntimeBackendDescription,
  OnnxruntimeBackendOptions,
} from './onnxruntime-backend';
export { EngineUnavailableError, INSTALL_COMMAND, loadOnnxruntime } from './engine';
export type { ExecutionProvider, Logger, ProviderFailure } from './engine';
export { ONNX_OP_FLOAT64 } from './dtype-table';
export type { Float64Support } from './dtype-table';
export {
  ONNX_IR_VERSION,
  ONNX_OPSET,
  OnnxGraphBuilder,
  int64ToNumber,
  loadOnnx,
  modelSignature,
  onnx,
} from './onnx-model';
export type {
  InitializerData,
  OnnxAttributeValue,
  OnnxElemType,
  OnnxValueSignature,
} from './onnx-model';
export { LOWERED_PRIMITIVES, graphKey, lowerGraph, lowerGraphWithNames } from './lower-graph';
export type { LowerGraphOptions, LoweredGraph } from './lower-graph';
export { loadOnnxFile, saveOnnx, saveOnnxFile } from './save';
export type { OnnxSavable } from './save';
export type { SessionCacheStats } from './session-cache';
