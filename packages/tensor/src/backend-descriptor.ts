/**
 * A backend package's self-description (tfjs's kernel registry is the
 * model): what `@sublora/backends` needs to list, install-hint, choose and
 * create a backend without knowing the package. Each backend package exports
 * one as `backendDescriptor`; the reference backend's lives here.
 */
import type { Backend, BackendHints } from './backend';
import { referenceBackend } from './reference/register-all-kernels';

/** What {@link BackendDescriptor.create} may be told about the machine. */
export interface BackendCreateOptions {
  /**
   * CPU threads the backend's engine may use (a whole number >= 1). Default:
   * the engine package's own choice. onnxruntime gives that many intra-op
   * threads to its big graphs (small ones run on one); the reference backend,
   * created through `@sublora/backends` on Node, shares its big matrix
   * products among that many threads (`referenceKernels.useGemmThreads`;
   * {@link referenceDescriptor} itself starts no threads); tfjs ignores it.
   * Give each of several processes that share the CPUs its part of them.
   */
  readonly threads?: number;
}

/** One backend family, as its package declares it. */
export interface BackendDescriptor {
  /** The name users type (`--backend`, `SUBLORA_BACKEND`): `reference`, `tfjs`, `onnxruntime`. */
  readonly family: string;
  /** The npm package that provides it. */
  readonly packageName: string;
  /** Variants accepted after a colon (`tfjs:wasm`); empty when there are none. */
  readonly variants: readonly string[];
  /** The command that installs the package and its engine. */
  readonly install: string;
  /** What a forced variant needs instead of {@link install}, where it differs. */
  readonly variantInstall?: Readonly<Record<string, string>>;
  /** The cost hints its backends carry (`Backend.hints`), known before creating one. */
  readonly hints: BackendHints;
  /**
   * Creates a backend (a forced `variant`, or the package's default choice).
   * Rejects with a one-line message when the engine cannot load.
   */
  create(variant?: string, options?: BackendCreateOptions): Promise<Backend>;
}

/**
 * The reference backend (ships with `@sublora/tensor`, needs nothing
 * installed). Its `create` ignores `threads`: starting threads is the host's
 * part (`nodeReferenceDescriptor` in `@sublora/backends` does it on Node).
 */
export const referenceDescriptor: BackendDescriptor = {
  family: 'reference',
  packageName: '@sublora/tensor',
  variants: [],
  install: 'npm install @sublora/tensor',
  hints: referenceBackend.hints,
  create: () => Promise.resolve(referenceBackend),
};
