/** This package as `@sublora/backends` finds it (see `BackendDescriptor`). */
import type { BackendDescriptor } from '@sublora/tensor';
import { TFJS_HINTS, createTfjsBackend } from './backend';
import { ENGINE_ORDER, type EngineName, TFJS_VERSION } from './engines';

const tfjs = `@tensorflow/tfjs@${TFJS_VERSION}`;

/** What each forced engine needs: tfjs itself plus the engine's package. */
const ENGINE_INSTALL: Readonly<Record<EngineName, string>> = {
  'node-gpu': `npm install @sublora/backend-tfjs ${tfjs} @tensorflow/tfjs-node-gpu@${TFJS_VERSION}`,
  node: `npm install @sublora/backend-tfjs ${tfjs} @tensorflow/tfjs-node@${TFJS_VERSION}`,
  wasm: `npm install @sublora/backend-tfjs ${tfjs} @tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
  cpu: `npm install @sublora/backend-tfjs ${tfjs}`,
};

/** The `tfjs` family: the fastest engine that loads, or a forced one (`tfjs:wasm`). */
export const backendDescriptor: BackendDescriptor = {
  family: 'tfjs',
  packageName: '@sublora/backend-tfjs',
  variants: ENGINE_ORDER,
  install: `npm install @sublora/backend-tfjs ${tfjs} @tensorflow/tfjs-backend-wasm@${TFJS_VERSION} (GPU: add @tensorflow/tfjs-node-gpu@${TFJS_VERSION})`,
  variantInstall: ENGINE_INSTALL,
  hints: TFJS_HINTS,
  create: (variant) =>
    createTfjsBackend(variant === undefined ? {} : { engine: variant as EngineName }),
};
