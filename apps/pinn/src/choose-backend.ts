/**
 * Which backend a run uses when the configuration says `auto`: a name from
 * `SUBLORA_BACKEND` or `sublora.config.json` wins; with neither, the bundled
 * onnxruntime CPU engine, which trains these networks several times faster
 * than the pure reference backend in float64 (apps/pinn README,
 * "Backends"), with the reference backend as the fallback when the engine
 * does not load on this machine.
 */
import { type SelectionContext, resolveBackend, selectBackendName } from '@sublora/backends';
import type { Backend } from '@sublora/tensor';

/** The chosen backend and the one-line reason, for the log and `config.json`. */
export interface BackendChoice {
  readonly backend: Backend;
  readonly reason: string;
}

/** The engine tried first when nothing names a backend. */
export const FAST_DEFAULT = 'onnxruntime';

/**
 * Resolves the configured backend name (`auto` or a name).
 * @param resolve - how a name becomes a backend (tests inject failures)
 */
export async function chooseBackend(
  configured: string,
  context: SelectionContext = {},
  resolve: (name?: string, context?: SelectionContext) => Promise<Backend> = resolveBackend,
): Promise<BackendChoice> {
  if (configured !== 'auto')
    return { backend: await resolve(configured, context), reason: 'named by the configuration' };
  const spec = selectBackendName(undefined, context);
  if (spec.source !== 'default') {
    const where = spec.source === 'env' ? 'SUBLORA_BACKEND' : 'sublora.config.json';
    return { backend: await resolve(undefined, context), reason: `named by ${where}` };
  }
  try {
    const backend = await resolve(FAST_DEFAULT, context);
    if (backend.dtypes.includes('float64'))
      return {
        backend,
        reason: `auto: ${FAST_DEFAULT} is the fastest engine that loads here (float64 for training and the Hessian)`,
      };
  } catch (e) {
    return {
      backend: await resolve('reference', context),
      reason: `auto: ${FAST_DEFAULT} did not load (${(e as Error).message.split('\n')[0]}); using the reference backend`,
    };
  }
  return {
    backend: await resolve('reference', context),
    reason: `auto: ${FAST_DEFAULT} lacks float64 here; using the reference backend`,
  };
}
