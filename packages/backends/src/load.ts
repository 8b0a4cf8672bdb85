/**
 * Loading backends. The reference backend ships with `@sublora/tensor`; the
 * tfjs and onnxruntime packages are loaded with `require` at run time, so a
 * missing or broken one is reported as "not available" with its install
 * command instead of breaking every import of this package. Loading returns
 * a `TaskEither`: an unavailable backend is a value, not an exception.
 */
import * as E from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import { pipe } from 'fp-ts/function';
import { referenceBackend, type Backend } from '@sublora/tensor';
import type { BackendFamily, BackendSpec } from './select';

/** The command that installs each backend's package and engine. */
export const INSTALL: Readonly<Record<BackendFamily, string>> = {
  reference: 'npm install @sublora/tensor',
  tfjs: 'npm install @sublora/backend-tfjs @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 (GPU: add @tensorflow/tfjs-node-gpu@4.22.0)',
  onnxruntime: 'npm install @sublora/backend-onnxruntime onnxruntime-node',
};

/** What a forced tfjs engine needs: the family's command names neither tfjs-node nor tfjs-node-gpu. */
const TFJS_ENGINE_INSTALL: Readonly<Record<string, string>> = {
  'node-gpu':
    'npm install @sublora/backend-tfjs @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-node-gpu@4.22.0',
  node: 'npm install @sublora/backend-tfjs @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-node@4.22.0',
  wasm: 'npm install @sublora/backend-tfjs @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0',
  cpu: 'npm install @sublora/backend-tfjs @tensorflow/tfjs@4.22.0',
};

/** The command that installs what `spec` needs: the forced engine's packages for `tfjs:<engine>`. */
export function installCommand(spec: Pick<BackendSpec, 'family' | 'variant'>): string {
  if (spec.family === 'tfjs' && spec.variant !== undefined) {
    return TFJS_ENGINE_INSTALL[spec.variant] ?? INSTALL.tfjs;
  }
  return INSTALL[spec.family];
}

const PACKAGES: Readonly<
  Record<Exclude<BackendFamily, 'reference'>, { pkg: string; factory: string }>
> = {
  tfjs: { pkg: '@sublora/backend-tfjs', factory: 'createTfjsBackend' },
  onnxruntime: { pkg: '@sublora/backend-onnxruntime', factory: 'createOnnxruntimeBackend' },
};

/** A backend that could not be created, with a one-line reason. */
export class BackendUnavailable extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'BackendUnavailable';
    this.reason = reason;
  }
}

/** First line of a thrown value's message (duck-typed: jest's errors come from another realm). */
function firstLine(e: unknown): string {
  const message = (e as { message?: unknown } | null)?.message;
  return (typeof message === 'string' ? message : String(e)).split('\n')[0];
}

type Factory = (options?: Record<string, unknown>) => Promise<Backend>;

/** Requires a backend package: its factory, or why it cannot be used. */
function loadFactory(
  family: Exclude<BackendFamily, 'reference'>,
): E.Either<BackendUnavailable, Factory> {
  const { pkg, factory } = PACKAGES[family];
  return pipe(
    E.tryCatch(
      // `require`, not a static import: the package may be absent or half-written.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (): unknown => require(pkg),
      (e) => new BackendUnavailable(`${pkg} failed to load: ${firstLine(e)}`),
    ),
    E.map((mod) => (mod as Record<string, unknown> | null)?.[factory]),
    E.filterOrElse(
      (f): f is Factory => typeof f === 'function',
      () => new BackendUnavailable(`${pkg} does not export ${factory}()`),
    ),
  );
}

/**
 * Creates the backend of `spec`: the backend, or {@link BackendUnavailable}
 * (one line) when its package or engine cannot be loaded.
 */
export function loadBackend(spec: BackendSpec): TE.TaskEither<BackendUnavailable, Backend> {
  if (spec.family === 'reference') return TE.right(referenceBackend);
  // Only tfjs has variants (checked by parseBackendName): the engine to force.
  const options = spec.variant === undefined ? undefined : { engine: spec.variant };
  return pipe(
    TE.fromEither(loadFactory(spec.family)),
    TE.chain((factory) =>
      TE.tryCatch(
        () => factory(options),
        (e) => new BackendUnavailable(firstLine(e)),
      ),
    ),
  );
}
