/**
 * `createOnnxruntimeBackend`: the Backend record over onnxruntime-node.
 *
 * Kernels record; `read` compiles the recorded subgraph into one ONNX model,
 * fetches (or creates) the session for that structure and runs it.
 */
import { createHash } from 'node:crypto';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { Graph } from '@sublora/autodiff';
import {
  OP_TABLE,
  TensorError,
  shapeToString,
  shapesEqual,
  type Backend,
  type BackendHints,
  type DType,
  type HostArray,
  type Shape,
  type Tensor,
} from '@sublora/tensor';
import {
  loadOnnxruntime,
  resolveExecutionProviders,
  validateProviders,
  type ExecutionProvider,
  type Logger,
  type OrtModule,
  type ProviderFailure,
} from './engine';
import * as k from './kernels';
import { buildPlanModel, leafNode, plan, settle, type LazyNode } from './lazy-graph';
import { graphKey, lowerGraph } from './lower-graph';
import { encodeModel, onnx, type OnnxElemType } from './onnx-model';
import { SessionCache, type SessionCacheStats } from './session-cache';
import { MEM_PATTERN_MAX_ELEMENTS, memPatternFor } from './memory-pattern';
import { OPTIMIZER_MAX_NODES, defaultGraphOptimizationLevel } from './optimization-level';
import { largestElements, threadPolicy, threadsFor } from './threads';

/** Options of {@link createOnnxruntimeBackend}. */
export interface OnnxruntimeBackendOptions {
  /** Providers in priority order (default `['cuda', 'cpu']`); unavailable ones are dropped, see `describe().notice`. */
  readonly executionProviders?: readonly ExecutionProvider[];
  /**
   * Precision of the computation. `float64` (default): float64 tensors compute
   * in float64 (except the ops marked `float32-cast` in `ONNX_OP_FLOAT64`).
   * `float32`: float64 tensors are computed in float32 and converted back on
   * read (faster on GPUs; relative error about 1e-7 per op).
   */
  readonly dtype?: DType;
  /**
   * Intra-op threads of the sessions whose graph holds a tensor of at least
   * `PARALLEL_MIN_ELEMENTS` elements (default: every available CPU); smaller
   * graphs run on one, where a second thread costs more than it saves
   * (`threads.ts`). A whole number >= 1. `sessionOptions.intraOpNumThreads`,
   * when set, applies to every session instead.
   */
  readonly threads?: number;
  /** Compiled sessions kept (least recently used dropped first; default 64). */
  readonly maxCachedSessions?: number;
  /**
   * Receives the provider-fallback notice. Default: none, so a CPU-only
   * machine is not told on every session; `describe().notice` keeps the line.
   */
  readonly logger?: Logger;
  /**
   * Passed to every `InferenceSession.create` (providers are set by this
   * package). `graphOptimizationLevel`, unset, is chosen per session by
   * `defaultGraphOptimizationLevel` of the compute precision and the graph's
   * node count (`optimization-level.ts`), and set, applies to every session;
   * `intraOpNumThreads`, unset, is chosen per session by the size of its
   * graph (see `threads`), and set, applies to every session;
   * `enableMemPattern`, unset, is off for graphs with a tensor of at least
   * `MEM_PATTERN_MAX_ELEMENTS` elements (`memory-pattern.ts`), and set,
   * applies to every session.
   */
  readonly sessionOptions?: Omit<InferenceSession.SessionOptions, 'executionProviders'>;
}

/** What {@link OnnxruntimeBackend.describe} reports. */
export interface OnnxruntimeBackendDescription {
  readonly name: 'onnxruntime';
  readonly onnxruntimeVersion: string;
  readonly requestedExecutionProviders: readonly ExecutionProvider[];
  /** Providers sessions are created with, in priority order. */
  readonly executionProviders: readonly ExecutionProvider[];
  readonly unavailableExecutionProviders: readonly ProviderFailure[];
  /** The provider-fallback line (e.g. CUDA unavailable, using cpu); absent when nothing was dropped. */
  readonly notice?: string;
  readonly computeDtype: DType;
  /**
   * The graph optimization level sessions are compiled with (float32 graphs
   * of at least `optimizerMaxNodes` nodes: `disabled`).
   */
  readonly graphOptimizationLevel: string;
  /**
   * float32 graphs of at least this many nodes compile with the optimizer
   * `disabled` (`optimization-level.ts`); null in float64 (always
   * `disabled`) and when `sessionOptions.graphOptimizationLevel` sets one
   * level for every session.
   */
  readonly optimizerMaxNodes: number | null;
  /**
   * The intra-op threads of sessions whose graph holds a tensor of at least
   * `parallelMinElements` elements; smaller graphs run on one thread. 0:
   * onnxruntime's own choice, when asked for.
   */
  readonly intraOpNumThreads: number;
  /** 0 when `sessionOptions.intraOpNumThreads` set one count for every session. */
  readonly parallelMinElements: number;
  /**
   * Sessions whose graph holds a tensor of at least this many elements run
   * without onnxruntime's memory pattern (`memory-pattern.ts`); null when
   * `sessionOptions.enableMemPattern` sets it for every session.
   */
  readonly memPatternMaxElements: number | null;
  readonly sessions: SessionCacheStats;
}

/** Options of {@link OnnxruntimeBackend.exportOnnx}. */
export interface ExportOnnxOptions {
  /** Tensors that become graph inputs (in this order); every other known value is stored in the model. */
  readonly inputs?: readonly Tensor[];
  /** Names of the inputs (default `input0`, ...). */
  readonly inputNames?: readonly string[];
  /** Names of the outputs (default `output0`, ...). */
  readonly outputNames?: readonly string[];
  /** Graph name stored in the model (default `sublora`). */
  readonly graphName?: string;
}

/** The onnxruntime Backend, plus graph-level operations. */
export interface OnnxruntimeBackend extends Backend {
  readonly name: 'onnxruntime';
  /** Providers, precision and session-cache counters. */
  describe(): OnnxruntimeBackendDescription;
  /**
   * Runs a whole `@sublora/autodiff` graph (the `GraphExecutor` interface, so
   * `evaluate` hands graphs here): lowered and compiled once per graph
   * structure, then cached; outputs are known values.
   */
  executeGraph(graph: Graph, inputs: readonly Tensor[]): Promise<Tensor[]>;
  /** Reads several tensors through one compiled session (shared subgraphs run once). */
  readMany(xs: readonly Tensor[]): Promise<HostArray[]>;
  /**
   * The recorded computation of `outputs` as an ONNX model, for deployment
   * (`saveOnnx` turns it into `.onnx` bytes). Known values that are not listed
   * in `options.inputs` (weights) are stored in the model.
   */
  exportOnnx(outputs: readonly Tensor[], options?: ExportOnnxOptions): onnx.ModelProto;
  /**
   * Runs an ONNX model (bytes or a decoded model) on tensors of this backend;
   * the session is cached by the model's bytes. Feeds are keyed by input name.
   */
  runOnnx(
    model: Uint8Array | onnx.IModelProto,
    feeds: Readonly<Record<string, Tensor>>,
  ): Promise<Record<string, Tensor>>;
  /** Releases all cached sessions (native memory); call it when no read is in flight. Tensors stay usable. */
  releaseSessions(): Promise<void>;
}

const BACKEND_NAME = 'onnxruntime';

/**
 * Whole graphs compile into one session: adjoint cuts make the graph bigger
 * (2.5x the first call at w = 1000) and save no run time here.
 * `gramReadFlops` is not measured on onnxruntime: the reference backend's 4,
 * which `hessian` used on every backend before backends declared hints.
 */
export const ONNXRUNTIME_HINTS: BackendHints = Object.freeze({
  compilesWholeGraphs: true,
  gramReadFlops: 4,
});

/**
 * Creates the onnxruntime backend: resolves execution providers (dropping
 * unavailable ones, which `describe().notice` reports), then returns the
 * kernel record.
 *
 * @example
 * const be = await createOnnxruntimeBackend({ executionProviders: ['cpu'] });
 * const x = be.fromArray([1, 2, 3, 4], [2, 2], 'float64');
 * const y = be.unary('tanh', be.matmul(x, x));
 * console.log(await be.read(y)); // one session compiled and run
 *
 * @throws EngineUnavailableError when onnxruntime-node is not installed
 */
export async function createOnnxruntimeBackend(
  options: OnnxruntimeBackendOptions = {},
): Promise<OnnxruntimeBackend> {
  const {
    executionProviders = ['cuda', 'cpu'],
    dtype: computeDtype = 'float64',
    maxCachedSessions = 64,
    logger,
    sessionOptions = {},
  } = options;
  if (
    options.threads !== undefined &&
    !(Number.isInteger(options.threads) && options.threads >= 1)
  ) {
    throw new Error(`threads: ${String(options.threads)} must be a whole number >= 1`);
  }
  if (computeDtype !== 'float64' && computeDtype !== 'float32') {
    throw new Error(
      `dtype: '${String(computeDtype)}' is not a compute precision; use 'float64' or 'float32'`,
    );
  }
  if (!Number.isInteger(maxCachedSessions) || maxCachedSessions < 1) {
    throw new Error(`maxCachedSessions: ${maxCachedSessions} must be a positive integer`);
  }
  // an explicit `intraOpNumThreads: undefined` gets the default policy too
  const threads = threadPolicy(sessionOptions.intraOpNumThreads, options.threads);
  if (!Number.isInteger(threads.threads) || threads.threads < 0) {
    throw new Error(
      `sessionOptions.intraOpNumThreads: ${String(threads.threads)} must be a whole number >= 1 (or 0 for onnxruntime's own choice)`,
    );
  }
  const requested = validateProviders(executionProviders);
  const ort = loadOnnxruntime();
  const providers = await resolveExecutionProviders(ort, requested, logger);
  // `?? `, not a spread default: an explicit `graphOptimizationLevel: undefined` gets the default too
  const callerLevel = sessionOptions.graphOptimizationLevel;
  // the level of graphs below the size threshold
  const graphOptimizationLevel = callerLevel ?? defaultGraphOptimizationLevel(computeDtype);
  const optimizerMaxNodes =
    callerLevel === undefined && computeDtype === 'float32' ? OPTIMIZER_MAX_NODES : null;
  const cache = new SessionCache(ort, providers.active, maxCachedSessions, {
    ...sessionOptions,
    graphOptimizationLevel,
  });
  // evaluated on a cache miss only: a hit costs no walk over the graph
  const sessionOptionsFor = (nodes: () => readonly { readonly shape: Shape }[]) => () => {
    const all = nodes();
    const largest = largestElements(all.map((n) => n.shape));
    return {
      intraOpNumThreads: threadsFor(threads, largest),
      ...memPatternFor(sessionOptions.enableMemPattern, largest),
      graphOptimizationLevel:
        callerLevel ?? defaultGraphOptimizationLevel(computeDtype, all.length),
    };
  };
  const elem = (d: DType): OnnxElemType => (computeDtype === 'float32' ? 'float32' : d);
  const nodes = new WeakMap<Tensor, LazyNode>();

  const handle = (node: LazyNode): Tensor => {
    const t: Tensor = Object.freeze({
      shape: node.shape,
      dtype: node.dtype,
      backend: BACKEND_NAME,
    });
    nodes.set(t, node);
    return t;
  };
  const nodeOf = (op: string, t: Tensor): LazyNode => {
    const node = t && typeof t === 'object' ? nodes.get(t) : undefined;
    if (!node) {
      const owner = t && typeof t === 'object' ? t.backend : typeof t;
      throw new TensorError(
        op,
        `tensor ${owner === BACKEND_NAME ? 'was disposed or belongs to another onnxruntime backend' : `belongs to backend '${owner}'`}`,
      );
    }
    return node;
  };

  const feedData = (leaf: LazyNode): HostArray => {
    const value = leaf.value as HostArray;
    if (elem(leaf.dtype) === 'float32' && !(value instanceof Float32Array))
      return (leaf.value32 ??= Float32Array.from(value));
    return value;
  };
  const toHost = (t: OrtTensor, dtype: DType): HostArray => {
    const data = t.data;
    if (dtype === 'float64')
      return data instanceof Float64Array ? data : Float64Array.from(data as Float32Array);
    return data instanceof Float32Array ? data : Float32Array.from(data as Float64Array);
  };
  const ortTensor = (type: OnnxElemType, data: HostArray, shape: Shape): OrtTensor =>
    new ort.Tensor(type as 'float32' | 'float64', data, [...shape]);

  async function compute(pending: readonly LazyNode[]): Promise<void> {
    const p = plan(pending, computeDtype);
    const session = await cache.get(
      p.key,
      () => encodeModel(buildPlanModel(p, elem).build()),
      sessionOptionsFor(() => [...p.leaves, ...p.ops]),
    );
    const feeds: Record<string, OrtTensor> = {};
    p.leaves.forEach(
      (leaf, i) => (feeds[`x${i}`] = ortTensor(elem(leaf.dtype), feedData(leaf), leaf.shape)),
    );
    const out = await session.run(feeds);
    pending.forEach((node, i) => settle(node, toHost(out[`y${i}`], node.dtype)));
  }

  /** Makes every node's value known (one session for all pending ones). */
  async function settleAll(targets: readonly LazyNode[]): Promise<void> {
    const pending = [...new Set(targets.filter((n) => n.value === undefined))];
    if (pending.length > 0) await compute(pending);
  }

  async function readMany(xs: readonly Tensor[]): Promise<HostArray[]> {
    const targets = xs.map((x) => nodeOf('read', x));
    await settleAll(targets);
    // Copies: callers may write into what they get back.
    return targets.map((n) => (n.value as HostArray).slice());
  }

  const graphKeys = new WeakMap<Graph, string>();
  async function executeGraph(graph: Graph, inputs: readonly Tensor[]): Promise<Tensor[]> {
    if (inputs.length !== graph.inputs.length) {
      throw new TensorError(
        'executeGraph',
        `the graph takes ${graph.inputs.length} inputs (${graph.inputs.map((s) => s.name).join(', ')}) but ${inputs.length} were given`,
      );
    }
    const args = inputs.map((t, i) => {
      const spec = graph.inputs[i];
      if (t.dtype !== spec.dtype || !shapesEqual(t.shape, spec.shape)) {
        throw new TensorError(
          'executeGraph',
          `input ${i} (${spec.name}) is ${t.dtype}${shapeToString(t.shape)} but the graph expects ${spec.dtype}${shapeToString(spec.shape)}`,
        );
      }
      return nodeOf('executeGraph', t);
    });
    let key = graphKeys.get(graph);
    if (key === undefined) {
      key = `graph:${graphKey(graph, computeDtype)}`;
      graphKeys.set(graph, key);
    }
    const inputNames = graph.inputs.map((_, i) => `input${i}`);
    const outputNames = graph.outputs.map((_, i) => `output${i}`);
    const session = await cache.get(
      key,
      () => encodeModel(lowerGraph(graph, { computeDtype, inputNames, outputNames })),
      sessionOptionsFor(() => graph.nodes),
    );
    await settleAll(args);
    const feeds: Record<string, OrtTensor> = {};
    args.forEach(
      (node, i) => (feeds[inputNames[i]] = ortTensor(elem(node.dtype), feedData(node), node.shape)),
    );
    const out = await session.run(feeds);
    return graph.outputs.map((id, i) => {
      const { shape, dtype } = graph.nodes[id];
      return handle(leafNode(toHost(out[outputNames[i]], dtype), shape, dtype));
    });
  }

  function exportOnnx(outputs: readonly Tensor[], opts: ExportOnnxOptions = {}): onnx.ModelProto {
    const {
      inputs = [],
      inputNames = inputs.map((_, i) => `input${i}`),
      outputNames = outputs.map((_, i) => `output${i}`),
      graphName = 'sublora',
    } = opts;
    if (inputNames.length !== inputs.length)
      throw new Error(`exportOnnx: ${inputNames.length} inputNames for ${inputs.length} inputs`);
    if (outputNames.length !== outputs.length)
      throw new Error(
        `exportOnnx: ${outputNames.length} outputNames for ${outputs.length} outputs`,
      );
    const names = [...inputNames, ...outputNames];
    if (new Set(names).size !== names.length || names.some((n) => !n || /^_[vcx]\d+$/.test(n))) {
      throw new Error(
        'exportOnnx: input and output names must be distinct, non-empty, and not of the form _v<n>, _c<n> or _x<n>',
      );
    }
    const inputNodes = inputs.map((t) => nodeOf('exportOnnx', t));
    const targets = outputs.map((t) => nodeOf('exportOnnx', t));
    if (new Set(targets).size !== targets.length)
      throw new Error('exportOnnx: the same tensor is listed twice in outputs');
    const p = plan(targets, computeDtype, new Set(inputNodes));
    const unused = inputNodes.findIndex((n) => !p.leaves.includes(n));
    if (unused >= 0) {
      const read = targets.some((t) => t.value !== undefined)
        ? ' (an output was already read, which releases its graph: export before reading)'
        : '';
      throw new Error(`exportOnnx: input ${inputNames[unused]} is not used by the outputs${read}`);
    }
    return buildPlanModel(p, elem, {
      inputName: (leaf) => {
        const i = inputNodes.indexOf(leaf);
        return i >= 0 ? inputNames[i] : undefined;
      },
      outputNames,
      graphName,
    }).build(`exported by @sublora/backend-onnxruntime (compute ${computeDtype})`);
  }

  async function runOnnx(
    model: Uint8Array | onnx.IModelProto,
    feeds: Readonly<Record<string, Tensor>>,
  ): Promise<Record<string, Tensor>> {
    const bytes = model instanceof Uint8Array ? model : encodeModel(model);
    const key = `model:${createHash('sha256').update(bytes).digest('base64')}`;
    // a model from elsewhere: its tensor sizes are not known here, so it gets the
    // big graphs' thread count; its node count is read for the optimization level
    const session = await cache.get(
      key,
      () => bytes,
      () => ({
        intraOpNumThreads: threads.threads,
        graphOptimizationLevel:
          callerLevel ?? defaultGraphOptimizationLevel(computeDtype, nodeCount(model)),
      }),
    );
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (!t)
        throw new Error(
          `runOnnx: missing feed '${name}'; the model's inputs are ${session.inputNames.join(', ')}`,
        );
      const [data] = await readMany([t]);
      ortFeeds[name] = ortTensor(t.dtype, data, t.shape);
    }
    const out = await session.run(ortFeeds);
    const result: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(out)) {
      if (value.type !== 'float32' && value.type !== 'float64')
        throw new Error(
          `runOnnx: output '${name}' has type ${value.type}; only float32/float64 outputs are supported`,
        );
      result[name] = handle(k.fromArray(value.data as HostArray, value.dims, value.type));
    }
    return result;
  }

  const backend: OnnxruntimeBackend = {
    name: BACKEND_NAME,
    dtypes: computeDtype === 'float64' ? ['float64', 'float32'] : ['float32'],
    hints: ONNXRUNTIME_HINTS,
    fromArray: (data, shape, dtype) => handle(k.fromArray(data, shape, dtype)),
    fill: (shape, value, dtype) => handle(k.fill(shape, value, dtype)),
    zeros: (shape, dtype) => {
      // checked as zeros, so errors name the op the caller called
      OP_TABLE.zeros.infer([], { shape, dtype });
      return handle(k.fill(shape, 0, dtype));
    },
    unary: (op, x) => handle(k.unary(op, nodeOf(op, x))),
    binary: (op, a, b) => handle(k.binary(op, nodeOf(op, a), nodeOf(op, b))),
    compare: (op, a, b) => handle(k.compare(op, nodeOf(op, a), nodeOf(op, b))),
    where: (cond, a, b) =>
      handle(k.where(nodeOf('where', cond), nodeOf('where', a), nodeOf('where', b))),
    cast: (x, dtype) => handle(k.cast(nodeOf('cast', x), dtype)),
    matmul: (a, b, opts) => handle(k.matmul(nodeOf('matmul', a), nodeOf('matmul', b), opts)),
    reshape: (x, shape) => handle(k.reshape(nodeOf('reshape', x), shape)),
    transpose: (x, perm) => handle(k.transpose(nodeOf('transpose', x), perm)),
    slice: (x, begin, size) => handle(k.slice(nodeOf('slice', x), begin, size)),
    concat: (xs, axis) =>
      handle(
        k.concat(
          xs.map((x) => nodeOf('concat', x)),
          axis,
        ),
      ),
    gather: (x, indices, axis) => handle(k.gather(nodeOf('gather', x), indices, axis)),
    scatterAdd: (updates, indices, axis, axisSize) =>
      handle(k.scatterAdd(nodeOf('scatterAdd', updates), indices, axis, axisSize)),
    broadcastTo: (x, shape) => handle(k.broadcastTo(nodeOf('broadcastTo', x), shape)),
    reduce: (op, x, axes, keepDims) => handle(k.reduce(op, nodeOf(op, x), axes, keepDims)),
    read: async (x) => (await readMany([x]))[0],
    dispose: (x) => {
      nodes.delete(x);
    },
    describe: () => ({
      name: BACKEND_NAME,
      onnxruntimeVersion: ortVersion(ort),
      requestedExecutionProviders: providers.requested,
      executionProviders: providers.active,
      unavailableExecutionProviders: providers.unavailable,
      ...(providers.notice === undefined ? {} : { notice: providers.notice }),
      computeDtype,
      graphOptimizationLevel,
      optimizerMaxNodes,
      intraOpNumThreads: threads.threads,
      parallelMinElements: threads.parallelMinElements,
      memPatternMaxElements:
        sessionOptions.enableMemPattern === undefined ? MEM_PATTERN_MAX_ELEMENTS : null,
      sessions: cache.stats(),
    }),
    readMany,
    executeGraph,
    exportOnnx,
    runOnnx,
    releaseSessions: () => cache.clear(),
  };
  return backend;
}

/** The nodes of a model's main graph; 0 for bytes that do not decode (onnxruntime then says why). */
function nodeCount(model: Uint8Array | onnx.IModelProto): number {
  try {
    const decoded = model instanceof Uint8Array ? onnx.ModelProto.decode(model) : model;
    return decoded.graph?.node?.length ?? 0;
  } catch {
    return 0;
  }
}

function ortVersion(ort: OrtModule): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}
