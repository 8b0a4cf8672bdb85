/**
 * Which backend name to use: the argument, else `SUBLORA_BACKEND`, else the
 * `backend` field of `sublora.config.json` in the working directory, else
 * `reference`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@sublora/tensor';

/** The backend families. `tfjs` takes an engine variant: `tfjs:wasm`, `tfjs:cpu`, ... */
export type BackendFamily = 'reference' | 'tfjs' | 'onnxruntime';

/** Every backend family, in the order {@link listBackends} reports them. */
export const BACKEND_FAMILIES: readonly BackendFamily[] = ['reference', 'tfjs', 'onnxruntime'];

/** The variants each family accepts after a colon (tfjs: the engine to force). */
export const BACKEND_VARIANTS: Readonly<Record<BackendFamily, readonly string[]>> = {
  reference: [],
  tfjs: ['node-gpu', 'node', 'wasm', 'cpu'],
  onnxruntime: [],
};

/** The environment variable that names the backend. */
export const BACKEND_ENV = 'SUBLORA_BACKEND';

/** The config file read from the working directory. */
export const CONFIG_FILE = 'sublora.config.json';

/** Where {@link selectBackendName} found the name. */
export type SelectionSource = 'argument' | 'env' | 'config' | 'default';

/** Where to look for a backend name (defaults: `process.env`, `process.cwd()`). */
export interface SelectionContext {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/** A parsed backend name, e.g. `tfjs:wasm` is family `tfjs`, variant `wasm`. */
export interface BackendSpec {
  readonly family: BackendFamily;
  readonly variant?: string;
  readonly source: SelectionSource;
}

/** The backend named in `sublora.config.json`, or undefined when there is no file or no field. */
function nameFromConfig(cwd: string): string | undefined {
  const file = path.join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new InputError(file, `is not valid JSON (${why}); write e.g. { "backend": "reference" }`);
  }
  const backend = (config as { backend?: unknown } | null)?.backend;
  if (backend === undefined) return undefined;
  if (typeof backend !== 'string') {
    throw new InputError(
      file,
      `field "backend" must be a string such as "tfjs", got ${JSON.stringify(backend)}`,
    );
  }
  return backend;
}

/**
 * Parses `family[:variant]` and checks the family, with a one-line
 * {@link InputError} listing the valid names.
 */
export function parseBackendName(name: string, source: SelectionSource): BackendSpec {
  const [family, variant, ...extra] = name.trim().split(':');
  const from =
    source === 'argument'
      ? ''
      : ` (from ${source === 'env' ? BACKEND_ENV : source === 'config' ? CONFIG_FILE : 'default'})`;
  const known = (BACKEND_FAMILIES as readonly string[]).includes(family);
  const variantOk =
    variant === undefined || (known && BACKEND_VARIANTS[family as BackendFamily].includes(variant));
  if (!known || !variantOk || extra.length > 0) {
    throw new InputError(
      'backend',
      `unknown backend '${name}'${from}; use one of ${BACKEND_FAMILIES.join(', ')} (tfjs also as tfjs:node-gpu, tfjs:node, tfjs:wasm, tfjs:cpu)`,
    );
  }
  return { family: family as BackendFamily, ...(variant !== undefined ? { variant } : {}), source };
}

/** Picks the backend name: argument > `SUBLORA_BACKEND` > `sublora.config.json` > `reference`. */
export function selectBackendName(name?: string, context: SelectionContext = {}): BackendSpec {
  if (name !== undefined && name !== '') return parseBackendName(name, 'argument');
  const env = (context.env ?? process.env)[BACKEND_ENV];
  if (env !== undefined && env !== '') return parseBackendName(env, 'env');
  const fromConfig = nameFromConfig(context.cwd ?? process.cwd());
  if (fromConfig !== undefined) return parseBackendName(fromConfig, 'config');
  return { family: 'reference', source: 'default' };
}
