/**
 * The one table of backend families this package knows. A backend package
 * describes itself when it loads (`backendDescriptor`: hints, `create`); what
 * is here is what must be known while it is absent or broken: the name users
 * type, its package, the variants a name may carry, and how to install it.
 * Adding a backend: export a descriptor from its package and add a row here
 * (`known-backends.test.ts` checks each row against its package's descriptor).
 */
const TFJS = '@tensorflow/tfjs@4.22.0';

/** One known backend family. */
export interface KnownBackend {
  /** The npm package providing it (an optional peer dependency of this package). */
  readonly pkg: string;
  /** Variants accepted after a colon (`tfjs:wasm`). */
  readonly variants: readonly string[];
  /** The command that installs the package and its engine. */
  readonly install: string;
  /** What each forced variant needs instead, where it differs. */
  readonly variantInstall?: Readonly<Record<string, string>>;
}

/** Every backend family, in the order `listBackends` reports them. */
export const KNOWN_BACKENDS = {
  reference: { pkg: '@sublora/tensor', variants: [], install: 'npm install @sublora/tensor' },
  tfjs: {
    pkg: '@sublora/backend-tfjs',
    variants: ['node-gpu', 'node', 'wasm', 'cpu'],
    install: `npm install @sublora/backend-tfjs ${TFJS} @tensorflow/tfjs-backend-wasm@4.22.0 (GPU: add @tensorflow/tfjs-node-gpu@4.22.0)`,
    // the family's command names neither tfjs-node nor tfjs-node-gpu
    variantInstall: {
      'node-gpu': `npm install @sublora/backend-tfjs ${TFJS} @tensorflow/tfjs-node-gpu@4.22.0`,
      node: `npm install @sublora/backend-tfjs ${TFJS} @tensorflow/tfjs-node@4.22.0`,
      wasm: `npm install @sublora/backend-tfjs ${TFJS} @tensorflow/tfjs-backend-wasm@4.22.0`,
      cpu: `npm install @sublora/backend-tfjs ${TFJS}`,
    },
  },
  onnxruntime: {
    pkg: '@sublora/backend-onnxruntime',
    variants: [],
    install: 'npm install @sublora/backend-onnxruntime onnxruntime-node',
  },
} as const satisfies Readonly<Record<string, KnownBackend>>;
