/**
 * `@sublora/backends`: choose a {@link Backend} by name, `SUBLORA_BACKEND` or
 * `sublora.config.json`, and list which backends this machine can run.
 */
export { listBackends, resolveBackend, type BackendInfo } from './backends';
export { BackendUnavailable, INSTALL, installCommand } from './load';
export {
  BACKEND_ENV,
  BACKEND_FAMILIES,
  BACKEND_VARIANTS,
  CONFIG_FILE,
  parseBackendName,
  selectBackendName,
  type BackendFamily,
  type BackendSpec,
  type SelectionContext,
  type SelectionSource,
} from './select';
