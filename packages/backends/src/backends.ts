/**
 * Listing and resolving backends by name.
 */
import * as E from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import { pipe } from 'fp-ts/function';
import { InputError, type Backend, type DType } from '@sublora/tensor';
import { type BackendUnavailable, INSTALL, installCommand, loadBackend } from './load';
import {
  BACKEND_FAMILIES,
  selectBackendNameE,
  sourceNote,
  type BackendFamily,
  type BackendSpec,
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
    const loaded = await loadBackend({ family: name, source: 'argument' })();
    rows.push(
      pipe(
        loaded,
        E.match(
          (e): BackendInfo => ({
            name,
            available: false,
            reason: e.reason,
            install: INSTALL[name],
          }),
          (backend): BackendInfo => {
            const describe = (backend as { describe?: unknown }).describe;
            return {
              name,
              available: true,
              dtypes: backend.dtypes,
              ...(typeof describe === 'function' ? { description: describe.call(backend) } : {}),
            };
          },
        ),
      ),
    );
  }
  return rows;
}

/** The one-line error of a backend that was asked for by name and cannot be loaded. */
function unavailableError(spec: BackendSpec, e: BackendUnavailable): InputError {
  const label = spec.variant === undefined ? spec.family : `${spec.family}:${spec.variant}`;
  // A reason from the engine loader may already carry the precise install command.
  const install = e.reason.includes('install with:')
    ? ''
    : `; install with: ${installCommand(spec)}`;
  return new InputError(
    'backend',
    `'${label}'${sourceNote(spec.source)} is not available: ${e.reason}${install} (the default 'reference' backend needs nothing)`,
  );
}

/**
 * Loads the backend named by `name`, else by the `SUBLORA_BACKEND`
 * environment variable, else by `{ "backend": "..." }` in
 * `sublora.config.json` in the working directory, else the float64
 * `reference` backend: the primary form; {@link resolveBackend} throws
 * instead.
 *
 * Names: `reference`, `tfjs` (fastest engine that loads), `tfjs:<engine>`
 * (`node-gpu`, `node`, `wasm`, `cpu`), `onnxruntime`. An unknown name, or a
 * backend whose package or engine is missing, is a Left: a one-line
 * {@link InputError} with the valid names or the install command; so is a
 * `context.threads` that is not a whole number >= 1.
 *
 * @example
 * ```ts
 * const result = await resolveBackendE('tfjs:wasm')();
 * if (E.isLeft(result)) console.error(result.left.message); // one line with the fix
 * ```
 */
export function resolveBackendE(
  name?: string,
  context: SelectionContext = {},
): TE.TaskEither<InputError, Backend> {
  return pipe(
    TE.fromEither(threadsE(context.threads)),
    TE.chain(() => TE.fromEither(selectBackendNameE(name, context))),
    TE.chain((spec) =>
      pipe(
        loadBackend(spec, context.threads === undefined ? {} : { threads: context.threads }),
        TE.mapLeft((e) => unavailableError(spec, e)),
      ),
    ),
  );
}

function threadsE(threads: number | undefined): E.Either<InputError, void> {
  return threads === undefined || (Number.isInteger(threads) && threads >= 1)
    ? E.right(undefined)
    : E.left(
        new InputError(
          'threads',
          `${String(threads)} is not a whole number >= 1; give the CPU threads the backend may use, e.g. 2`,
        ),
      );
}

/**
 * {@link resolveBackendE} for callers that want a backend or an exception.
 *
 * @throws InputError (as a rejection) for an unknown name or a backend that cannot be loaded
 * @example
 * ```ts
 * const backend = await resolveBackend('tfjs:wasm');
 * ```
 */
export async function resolveBackend(
  name?: string,
  context: SelectionContext = {},
): Promise<Backend> {
  return pipe(
    await resolveBackendE(name, context)(),
    E.getOrElseW((e) => {
      throw e;
    }),
  );
}
