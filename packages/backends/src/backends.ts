/**
 * Listing and resolving backends by name.
 */
import { InputError, type Backend, type DType } from '@sublora/tensor';
import { BackendUnavailable, INSTALL, createBackend, installCommand } from './load';
import {
  BACKEND_FAMILIES,
  selectBackendName,
  type BackendFamily,
  type SelectionContext,
} from './select';

/** One row of {@link listBackends}. */
export interface BackendInfo {
  readonly name: BackendFamily;
  readonly available: boolean;
  /** Why it is not available (one line). */
  readonly reason?: string;
  /** The command that installs it (when not available). */
  readonly install?: string;
  /** The dtypes it computes in (when available). */
  readonly dtypes?: readonly DType[];
  /** What the backend's own `describe()` returned, if it has one (tfjs: engine, device, skipped engines). */
  readonly description?: unknown;
}

/**
 * Tries every backend family and reports which can be created here, and why
 * not. Creating a backend initializes its engine, so this takes a moment.
 *
 * @example
 * ```ts
 * for (const b of await listBackends()) console.log(b.name, b.available ? 'ok' : b.reason);
 * ```
 */
export async function listBackends(): Promise<BackendInfo[]> {
  const rows: BackendInfo[] = [];
  for (const name of BACKEND_FAMILIES) {
    try {
      const backend = await createBackend({ family: name, source: 'argument' });
      const describe = (backend as { describe?: unknown }).describe;
      rows.push({
        name,
        available: true,
        dtypes: backend.dtypes,
        ...(typeof describe === 'function' ? { description: describe.call(backend) } : {}),
      });
    } catch (e) {
      if (!(e instanceof BackendUnavailable)) throw e;
      rows.push({ name, available: false, reason: e.reason, install: INSTALL[name] });
    }
  }
  return rows;
}

/**
 * Returns the backend named by `name`, else by the `SUBLORA_BACKEND`
 * environment variable, else by `{ "backend": "..." }` in
 * `sublora.config.json` in the working directory, else the float64
 * `reference` backend.
 *
 * Names: `reference`, `tfjs` (fastest engine that loads), `tfjs:<engine>`
 * (`node-gpu`, `node`, `wasm`, `cpu`), `onnxruntime`. An unknown name, or a
 * backend whose package or engine is missing, is a one-line
 * {@link InputError} with the valid names or the install command.
 *
 * @example
 * ```ts
 * const backend = await resolveBackend('tfjs:wasm');
 * ```
 */
export async function resolveBackend(
  name?: string,
  context: SelectionContext = {},
): Promise<Backend> {
  const spec = selectBackendName(name, context);
  try {
    return await createBackend(spec);
  } catch (e) {
    if (!(e instanceof BackendUnavailable)) throw e;
    const label = spec.variant === undefined ? spec.family : `${spec.family}:${spec.variant}`;
    // A reason from the engine loader may already carry the precise install command.
    const install = e.reason.includes('install with:')
      ? ''
      : `; install with: ${installCommand(spec)}`;
    throw new InputError(
      'backend',
      `'${label}' is not available: ${e.reason}${install} (the default 'reference' backend needs nothing)`,
    );
  }
}
