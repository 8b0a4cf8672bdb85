/**
 * Loading onnxruntime-node (an optional engine) and choosing execution
 * providers.
 *
 * The engine is required dynamically so that a machine without it gets one
 * clear line with the install command instead of a module-resolution stack
 * trace, and so that importing this package never fails by itself.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { OnnxGraphBuilder, encodeModel } from './onnx-model';

/** The onnxruntime-node module, as loaded at run time. */
export type OrtModule = typeof Ort;

/** The command that installs the engine (CPU provider; see the README for CUDA). */
export const INSTALL_COMMAND = 'npm install onnxruntime-node';

/** The engine is not installed or its native binding failed to load. */
export class EngineUnavailableError extends Error {
  constructor(reason: string) {
    super(`onnxruntime-node is not available (${reason}); install it with \`${INSTALL_COMMAND}\``);
    this.name = 'EngineUnavailableError';
  }
}

let cached: OrtModule | undefined;

/**
 * Loads onnxruntime-node once.
 * @throws EngineUnavailableError with the install command when it is missing.
 */
export function loadOnnxruntime(): OrtModule {
  if (cached) return cached;
  try {
    // A dynamic require keeps the engine optional (see the module comment).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('onnxruntime-node') as OrtModule;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new EngineUnavailableError(message);
  }
  return cached;
}

/** Execution providers this package knows how to request. */
export type ExecutionProvider = 'cuda' | 'cpu' | 'webgpu' | 'tensorrt';

const KNOWN_PROVIDERS: readonly ExecutionProvider[] = ['cuda', 'cpu', 'webgpu', 'tensorrt'];

/** Receives the one-line notices of this package (provider fallback). */
export type Logger = (message: string) => void;

/** A requested provider that could not be used, and why. */
export interface ProviderFailure {
  readonly provider: ExecutionProvider;
  readonly reason: string;
}

/** The providers that will run sessions, in priority order, and those dropped. */
export interface ProviderResolution {
  readonly requested: readonly ExecutionProvider[];
  readonly active: readonly ExecutionProvider[];
  readonly unavailable: readonly ProviderFailure[];
  /** One line naming the dropped providers and the ones used; absent when none was dropped. */
  readonly notice?: string;
}

/** Throws a one-line error unless every entry names a known provider. */
export function validateProviders(providers: readonly string[]): readonly ExecutionProvider[] {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new Error(`executionProviders: expected a non-empty list such as ['cuda', 'cpu']`);
  }
  for (const p of providers) {
    if (!KNOWN_PROVIDERS.includes(p as ExecutionProvider)) {
      throw new Error(
        `executionProviders: unknown provider '${p}'; use one of ${KNOWN_PROVIDERS.join(', ')}`,
      );
    }
  }
  return providers as readonly ExecutionProvider[];
}

/**
 * The provider library file a non-bundled provider needs, when it is absent
 * from the binding's folder (Linux only: the layout elsewhere differs, and
 * the session probe below still catches the failure there).
 */
function missingProviderLibrary(provider: ExecutionProvider): string | undefined {
  if (process.platform !== 'linux') return undefined;
  let binDir: string;
  try {
    binDir = join(
      dirname(require.resolve('onnxruntime-node/package.json')),
      'bin',
      'napi-v6',
      'linux',
      process.arch,
    );
  } catch {
    return undefined;
  }
  const file = `libonnxruntime_providers_${provider}.so`;
  return existsSync(join(binDir, file)) ? undefined : file;
}

/** A one-node float32 model used to check that a provider can create a session. */
function probeModelBytes(): Uint8Array {
  const b = new OnnxGraphBuilder('provider_probe');
  const x = b.input('x', 'float32', [1]);
  b.output(b.node('Identity', [x]), 'float32', [1]);
  return encodeModel(b.build());
}

/**
 * Keeps the requested providers that can create a session here, in order.
 * `cpu` is always available; when every requested provider fails, `cpu` is
 * used. When anything was dropped, the resolution carries one notice line,
 * passed to `log` if given.
 */
export async function resolveExecutionProviders(
  ort: OrtModule,
  requested: readonly ExecutionProvider[],
  log?: Logger,
): Promise<ProviderResolution> {
  const active: ExecutionProvider[] = [];
  const unavailable: ProviderFailure[] = [];
  // Older bindings lack the listing: then every provider is tried by opening a session.
  const listing =
    typeof ort.listSupportedBackends === 'function' ? ort.listSupportedBackends() : undefined;
  const listed = new Map(
    (listing ?? requested.map((name) => ({ name, bundled: true }))).map((b) => [b.name, b.bundled]),
  );
  for (const provider of requested) {
    if (provider === 'cpu') {
      active.push(provider);
      continue;
    }
    if (!listed.has(provider)) {
      unavailable.push({ provider, reason: 'not built into this onnxruntime-node binary' });
      continue;
    }
    const missing = listed.get(provider) ? undefined : missingProviderLibrary(provider);
    if (missing) {
      unavailable.push({ provider, reason: `${missing} is not installed` });
      continue;
    }
    try {
      // Fatal-only logging: the native layer would otherwise print its own
      // multi-line error for a missing provider library.
      const session = await ort.InferenceSession.create(probeModelBytes(), {
        executionProviders: [provider],
        logSeverityLevel: 4,
      });
      await session.release();
      active.push(provider);
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      unavailable.push({ provider, reason });
    }
  }
  if (active.length === 0) active.push('cpu');
  if (unavailable.length === 0) return { requested, active, unavailable };
  const dropped = unavailable.map((u) => `${u.provider} (${u.reason})`).join('; ');
  const notice = `onnxruntime: execution provider ${dropped} unavailable, using [${active.join(', ')}]`;
  log?.(notice);
  return { requested, active, unavailable, notice };
}
