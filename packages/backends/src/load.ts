/**
 * Loading backends through the descriptors their packages export. The
 * reference backend ships with `@sublora/tensor`; the tfjs and onnxruntime
 * packages are optional peer dependencies loaded with `require` at run time,
 * so a missing or broken one is reported as "not available" with its install
 * command instead of breaking every import of this package. Loading returns
 * a `TaskEither`: an unavailable backend is a value, not an exception.
 */
import * as E from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import { pipe } from 'fp-ts/function';
import { type Backend, type BackendCreateOptions, type BackendDescriptor } from '@sublora/tensor';
import { type KnownBackend, KNOWN_BACKENDS } from './known-backends';
import { nodeReferenceDescriptor } from './reference-threads';
import { BACKEND_FAMILIES, type BackendFamily, type BackendSpec } from './select';

/** The command that installs each backend's package and engine (`KNOWN_BACKENDS`). */
export const INSTALL = Object.fromEntries(
  BACKEND_FAMILIES.map((f) => [f, KNOWN_BACKENDS[f].install]),
) as Readonly<Record<BackendFamily, string>>;

/** The command that installs what `spec` needs: a forced variant's packages where they differ. */
export function installCommand(spec: Pick<BackendSpec, 'family' | 'variant'>): string {
  const known: KnownBackend = KNOWN_BACKENDS[spec.family];
  return (spec.variant !== undefined && known.variantInstall?.[spec.variant]) || known.install;
}

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

function isDescriptor(x: unknown): x is BackendDescriptor {
  const d = x as Partial<BackendDescriptor> | null;
  return typeof d?.family === 'string' && typeof d.create === 'function';
}

/**
 * The descriptor of a family's package (`require`d at run time: the package
 * is an optional peer dependency and may be absent or half-written), or why
 * it cannot be used. The reference backend's ships with `@sublora/tensor`
 * (here with Node's threads for its matrix products).
 */
export function loadDescriptor(
  family: BackendFamily,
): E.Either<BackendUnavailable, BackendDescriptor> {
  if (family === 'reference') return E.right(nodeReferenceDescriptor);
  const { pkg } = KNOWN_BACKENDS[family];
  return pipe(
    E.tryCatch(
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (): unknown => require(pkg),
      (e) => new BackendUnavailable(`${pkg} failed to load: ${firstLine(e)}`),
    ),
    E.map((mod) => (mod as Record<string, unknown> | null)?.backendDescriptor),
    E.filterOrElse(
      (d): d is BackendDescriptor => isDescriptor(d) && d.family === family,
      () => new BackendUnavailable(`${pkg} does not export a backendDescriptor for '${family}'`),
    ),
  );
}

/**
 * Creates the backend of `spec` with `options` (see `BackendCreateOptions`):
 * the backend, or {@link BackendUnavailable} (one line) when its package or
 * engine cannot be loaded.
 */
export function loadBackend(
  spec: BackendSpec,
  options: BackendCreateOptions = {},
): TE.TaskEither<BackendUnavailable, Backend> {
  return pipe(
    TE.fromEither(loadDescriptor(spec.family)),
    TE.chain((descriptor) =>
      TE.tryCatch(
        () => descriptor.create(spec.variant, options),
        (e) => new BackendUnavailable(firstLine(e)),
      ),
    ),
  );
}
