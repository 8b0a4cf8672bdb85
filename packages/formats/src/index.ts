/**
 * `@sublora/formats`: parse and serialize `.npy` and safetensors bytes.
 * Pure: bytes in, bytes out, no file-system access.
 */
export { FormatError } from './format-error';
export type { DecodedData } from './element-codec';
export {
  NPY_PREFIX_BYTES,
  npyHeaderEnd,
  parseNpy,
  parseNpyE,
  parseNpyHeader,
  parseNpyHeaderE,
  serializeNpy,
} from './npy';
export type { NpyArray, NpyDType, NpyInput, NpyLayout } from './npy';
export {
  SAFETENSORS_PREFIX_BYTES,
  parseSafetensors,
  parseSafetensorsE,
  parseSafetensorsHeader,
  parseSafetensorsHeaderE,
  safetensorsHeaderEnd,
  serializeSafetensors,
} from './safetensors';
export { allocateTensorData, decodeTensorChunk, finishTensorData } from './tensor-layout';
export type { TensorLayout } from './tensor-layout';
export type {
  SafetensorsDType,
  SafetensorsLayout,
  SafetensorsTensorLayout,
  SafetensorsFile,
  SafetensorsTensor,
  SafetensorsTensorInput,
} from './safetensors';
