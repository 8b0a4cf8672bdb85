/**
 * `@sublora/backend-tfjs`: the {@link Backend} interface of `@sublora/tensor`
 * over tfjs kernels, on the fastest engine that loads at run time.
 */
export {
  TFJS_HINTS,
  createTfjsBackend,
  type TfjsBackend,
  type TfjsBackendOptions,
} from './backend';
export { backendDescriptor } from './descriptor';
export {
  ENGINE_ORDER,
  INSTALL_COMMANDS,
  TFJS_VERSION,
  type EngineAttempt,
  type EngineName,
  type EngineReport,
} from './engines';
export { TfjsTensor } from './handle';
