/**
 * `@sublora/backends`: choose a {@link Backend} by name, `SUBLORA_BACKEND` or
 * `sublora.config.json`, and list which backends this machine can run.
 */
export { KNOWN_BACKENDS, type KnownBackend } from './known-backends';
export { listBackends, resolveBackend, resolveBackendE, type BackendInfo } from './backends';
export { BackendUnavailable, INSTALL, installCommand, loadBackend, loadDescriptor } from './load';
export { nodeReferenceDescriptor, startNodeGemmWorker } from './reference-threads';
export {
  BACKEND_ENV,
  BACKEND_FAMILIES,
  BACKEND_VARIANTS,
  CONFIG_FILE,
  parseBackendName,
  parseBackendNameE,
  selectBackendName,
  selectBackendNameE,
  type BackendFamily,
  type BackendSpec,
  type SelectionContext,
  type SelectionSource,
} from './select';
