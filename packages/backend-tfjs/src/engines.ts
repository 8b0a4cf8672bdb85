/**
 * Which tfjs engine runs the kernels, and why the others were not used.
 *
 * tfjs keeps one global engine with named backends. The engines are tried in
 * order of speed: `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA),
 * `@tensorflow/tfjs-node` (libtensorflow on the CPU), `@tensorflow/tfjs-backend-wasm`
 * (WebAssembly, SIMD where available), then the pure-JavaScript `cpu` backend
 * bundled in `@tensorflow/tfjs`. The first two download libtensorflow in their
 * install script, so they are optional dependencies loaded with `require` in a
 * try/catch: a missing one is a recorded reason (the Left of {@link loadEngine}),
 * not a crash.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import * as TE from 'fp-ts/TaskEither';
import { pipe } from 'fp-ts/function';

/** The engines, fastest first. */
export type EngineName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

/** All engine names in the order {@link createTfjsBackend} tries them. */
export const ENGINE_ORDER: readonly EngineName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** One engine that was tried: whether it loaded, and why not. */
export interface EngineAttempt {
  readonly engine: EngineName;
  readonly ok: boolean;
  /** Why it was not used (absent when `ok`, or when an earlier engine won). */
  readonly reason?: string;
}

/** What {@link TfjsBackend.describe} reports. */
export interface EngineReport {
  /** The engine the kernels run on. */
  readonly engine: EngineName;
  /** The tfjs backend name behind it (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string;
  /** Where the arithmetic happens, in words (e.g. `CPU (WebAssembly, SIMD)`). */
  readonly device: string;
  /** `@tensorflow/tfjs-core` version. */
  readonly tfjsVersion: string;
  /** Every engine tried before (and including) the chosen one, with reasons. */
  readonly attempts: readonly EngineAttempt[];
  /** What a float64 request does: `error` (default) or `downcast` to float32. */
  readonly float64: 'error' | 'downcast';
}

/** The tfjs version the optional engines must match. */
export const TFJS_VERSION = '4.22.0';

/** The command that installs each engine. */
export const INSTALL_COMMANDS: Readonly<Record<EngineName, string>> = {
  'node-gpu': `npm install @tensorflow/tfjs-node-gpu@${TFJS_VERSION} (Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1)`,
  node: `npm install @tensorflow/tfjs-node@${TFJS_VERSION}`,
  wasm: `npm install @tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
  cpu: `npm install @tensorflow/tfjs@${TFJS_VERSION}`,
};

/** The npm package behind each engine. */
const PACKAGES: Readonly<Record<EngineName, string>> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

/** The tfjs backend name each engine registers. */
const TF_BACKENDS: Readonly<Record<EngineName, string>> = {
  'node-gpu': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** An engine that loaded: the tfjs backend to switch to and its device. */
export interface LoadedEngine {
  readonly engine: EngineName;
  readonly tfBackend: string;
  readonly device: string;
}

/** The message of a thrown value (duck-typed: errors from other realms, e.g. jest's, are not `instanceof Error`). */
function messageOf(e: unknown): string {
  const message = (e as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(e);
}

/** First line of an error, for one-line reasons. */
export function firstLine(e: unknown): string {
  return messageOf(e).split('\n')[0];
}

/**
 * `require` of an optional package. `require` (not `import()`) keeps it
 * synchronous, type-free (the package may be absent at compile time) and
 * compatible with jest's module mapping.
 */
function requireOptional(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}

/** True when a require failed because the package itself is not installed. */
function isMissingPackage(e: unknown, name: string): boolean {
  // Node and jest both start with this; a missing dependency *of* the package names another module.
  return messageOf(e).startsWith(`Cannot find module '${name}'`);
}

/** Points the wasm backend at the `.wasm` binaries shipped in its `dist` folder. */
function configureWasm(): void {
  const wasm = requireOptional(PACKAGES.wasm) as { setWasmPaths(prefix: string): void };
  // setWasmPaths throws once the backend is initialized (another instance did it).
  if (tf.findBackend('wasm') != null) return;
  const binary = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  wasm.setWasmPaths(path.dirname(binary) + path.sep);
}

/** Describes the device of an initialized engine. */
async function deviceOf(engine: EngineName): Promise<string> {
  if (engine === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `CPU (WebAssembly${simd ? ', SIMD' : ', no SIMD'})`;
  }
  if (engine === 'cpu') return 'CPU (pure JavaScript)';
  const backend = tf.findBackend('tensorflow') as { isUsingGpuDevice?: boolean } | null;
  if (backend?.isUsingGpuDevice === true) return 'GPU (CUDA, libtensorflow)';
  if (engine === 'node-gpu') return 'CPU (libtensorflow found no usable GPU)';
  return 'CPU (libtensorflow)';
}

/** Requires the engine's package (wasm: points it at its binaries), or says why it cannot be used. */
function requireEngine(engine: EngineName): E.Either<string, void> {
  const pkg = PACKAGES[engine];
  return E.tryCatch(
    () => {
      if (engine === 'node-gpu' || engine === 'node') requireOptional(pkg);
      if (engine === 'wasm') configureWasm();
    },
    (e) =>
      isMissingPackage(e, pkg)
        ? `${pkg} is not installed; install with: ${INSTALL_COMMANDS[engine]}`
        : // installed but broken (e.g. no libtensorflow): the fix is this engine's package, not the family's
          `${pkg} failed to load: ${firstLine(e)}; reinstall with: ${INSTALL_COMMANDS[engine]}`,
  );
}

/**
 * Loads one engine and makes it tfjs's current backend: the loaded engine,
 * or a one-line reason it could not be used.
 */
export function loadEngine(engine: EngineName): TE.TaskEither<string, LoadedEngine> {
  const tfBackend = TF_BACKENDS[engine];
  return pipe(
    TE.fromEither(requireEngine(engine)),
    TE.chain(() =>
      TE.tryCatch(
        () => tf.setBackend(tfBackend),
        (e) => `tfjs backend '${tfBackend}' failed to initialize: ${firstLine(e)}`,
      ),
    ),
    TE.filterOrElse(
      (ok) => ok,
      () => `tfjs backend '${tfBackend}' failed to initialize`,
    ),
    TE.chain(() => TE.fromTask(() => deviceOf(engine))),
    TE.map((device) => ({ engine, tfBackend, device })),
  );
}
