/** This package as `@sublora/backends` finds it (see `BackendDescriptor`). */
import type { BackendDescriptor } from '@sublora/tensor';
import { INSTALL_COMMAND } from './engine';
import { ONNXRUNTIME_HINTS, createOnnxruntimeBackend } from './onnxruntime-backend';

/** The `onnxruntime` family: one variant-free backend, CUDA then CPU provider, float64. */
export const backendDescriptor: BackendDescriptor = {
  family: 'onnxruntime',
  packageName: '@sublora/backend-onnxruntime',
  variants: [],
  install: `npm install @sublora/backend-onnxruntime ${INSTALL_COMMAND.replace('npm install ', '')}`,
  hints: ONNXRUNTIME_HINTS,
  // `threads` is what big graphs get; small ones still run on one thread
  create: (_variant, options = {}) =>
    createOnnxruntimeBackend(options.threads === undefined ? {} : { threads: options.threads }),
};
