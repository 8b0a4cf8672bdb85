/**
 * `@sublora/formats`: parse and serialize `.npy` and safetensors bytes.
 * Pure: bytes in, bytes out, no file-system access.
 */
export { FormatError } from './format-error';
export type { DecodedData } from './element-codec';
export { parseNpy, serializeNpy } from './npy';
export type { NpyArray, NpyDType, NpyInput } from './npy';
export { parseSafetensors, serializeSafetensors } from './safetensors';
export type {
  SafetensorsDType,
  SafetensorsFile,
  SafetensorsTensor,
  SafetensorsTensorInput,
} from './safetensors';
