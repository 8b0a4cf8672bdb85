/**
 * Which backend name to use: the argument, else `SUBLORA_BACKEND`, else the
 * `backend` field of `sublora.config.json` in the working directory, else
 * `reference`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { InputError } from '@sublora/tensor';
import { KNOWN_BACKENDS } from './known-backends';

/** The backend families (`KNOWN_BACKENDS`). `tfjs` takes an engine variant: `tfjs:wasm`, `tfjs:cpu`, ... */
export type BackendFamily = keyof typeof KNOWN_BACKENDS;

/** Every backend family, in the order {@link listBackends} reports them. */
export const BACKEND_FAMILIES = Object.keys(KNOWN_BACKENDS) as readonly BackendFamily[];

/** The variants each family accepts after a colon (tfjs: the engine to force). */
export const BACKEND_VARIANTS: Readonly<Record<BackendFamily, readonly string[]>> =
  Object.fromEntries(
    BACKEND_FAMILIES.map((f): [BackendFamily, readonly string[]] => [
      f,
      KNOWN_BACKENDS[f].variants,
    ]),
  ) as Record<BackendFamily, readonly string[]>;

/** ` (tfjs also as tfjs:node-gpu, tfjs:node, ...)` for every family with variants. */
function variantsHint(): string {
  const parts = BACKEND_FAMILIES.filter((f) => BACKEND_VARIANTS[f].length > 0).map(
    (f) => `${f} also as ${BACKEND_VARIANTS[f].map((v) => `${f}:${v}`).join(', ')}`,
  );
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** The environment variable that names the backend. */
export const BACKEND_ENV = 'SUBLORA_BACKEND';

/** The config file read from the working directory. */
export const CONFIG_FILE = 'sublora.config.json';

/** Where {@link selectBackendName} found the name. */
export type SelectionSource = 'argument' | 'env' | 'config' | 'default';

/**
 * Where to look for a backend name (defaults: `process.env`, `process.cwd()`),
 * and what the backend created from it may use.
 */
export interface SelectionContext {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /**
   * CPU threads for the backend's engine (`BackendCreateOptions.threads`
   * of `@sublora/tensor`; a whole number >= 1). Default: the engine's own.
   */
  readonly threads?: number;
}

/** A parsed backend name, e.g. `tfjs:wasm` is family `tfjs`, variant `wasm`. */
export interface BackendSpec {
  readonly family: BackendFamily;
  readonly variant?: string;
  readonly source: SelectionSource;
}

/** The backend named in `sublora.config.json`, or undefined when there is no file or no field. */
function nameFromConfig(cwd: string): E.Either<InputError, string | undefined> {
  const file = path.join(cwd, CONFIG_FILE);
  let text: string;
  try {
    // a byte-order mark (some Windows editors write one) is not part of the JSON
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return E.right(undefined);
  }
  return pipe(
    E.parseJSON(text, (e) => {
      const why = (e as Error).message.split('\n')[0];
      return new InputError(
        file,
        `is not valid JSON (${why}); write e.g. { "backend": "reference" }`,
      );
    }),
    E.map((config) => (config as { backend?: unknown } | null)?.backend),
    E.filterOrElse(
      (backend): backend is string | undefined =>
        backend === undefined || typeof backend === 'string',
      (backend) =>
        new InputError(
          file,
          `field "backend" must be a string such as "tfjs", got ${JSON.stringify(backend)}`,
        ),
    ),
  );
}

/**
 * Parses `family[:variant]` and checks the family: the spec, or a one-line
 * {@link InputError} listing the valid names (the primary form;
 * {@link parseBackendName} throws instead).
 */
export function parseBackendNameE(
  name: string,
  source: SelectionSource,
): E.Either<InputError, BackendSpec> {
  const [family, variant, ...extra] = name.trim().split(':');
  const from = sourceNote(source);
  const known = (BACKEND_FAMILIES as readonly string[]).includes(family);
  const variantOk =
    variant === undefined || (known && BACKEND_VARIANTS[family as BackendFamily].includes(variant));
  if (!known || !variantOk || extra.length > 0) {
    return E.left(
      new InputError(
        'backend',
        `unknown backend '${name}'${from}; use one of ${BACKEND_FAMILIES.join(', ')}${variantsHint()}`,
      ),
    );
  }
  return E.right({
    family: family as BackendFamily,
    ...(variant !== undefined ? { variant } : {}),
    source,
  });
}

/** The error of a Left thrown: what the throwing convenience forms do. */
const raise = (e: InputError): never => {
  throw e;
};

/**
 * {@link parseBackendNameE} for callers that want a value or an exception.
 * @throws InputError for an unknown family or variant, listing the valid names
 */
export function parseBackendName(name: string, source: SelectionSource): BackendSpec {
  return pipe(parseBackendNameE(name, source), E.getOrElseW(raise));
}

/** Where a name came from, for error messages: empty for an argument, else ` (from SUBLORA_BACKEND)` and the like. */
export function sourceNote(source: SelectionSource): string {
  if (source === 'argument') return '';
  return ` (from ${source === 'env' ? BACKEND_ENV : source === 'config' ? CONFIG_FILE : 'default'})`;
}

/**
 * Picks the backend name: argument > `SUBLORA_BACKEND` > `sublora.config.json`
 * > `reference`; a bad name or config file is a Left (the primary form;
 * {@link selectBackendName} throws instead).
 */
export function selectBackendNameE(
  name?: string,
  context: SelectionContext = {},
): E.Either<InputError, BackendSpec> {
  if (name !== undefined && name !== '') return parseBackendNameE(name, 'argument');
  const env = (context.env ?? process.env)[BACKEND_ENV];
  if (env !== undefined && env !== '') return parseBackendNameE(env, 'env');
  return pipe(
    nameFromConfig(context.cwd ?? process.cwd()),
    E.chain((fromConfig) =>
      fromConfig === undefined
        ? E.right<InputError, BackendSpec>({ family: 'reference', source: 'default' })
        : parseBackendNameE(fromConfig, 'config'),
    ),
  );
}

/**
 * {@link selectBackendNameE} for callers that want a value or an exception.
 * @throws InputError for an unknown name or an unreadable config file
 */
export function selectBackendName(name?: string, context: SelectionContext = {}): BackendSpec {
  return pipe(selectBackendNameE(name, context), E.getOrElseW(raise));
}
