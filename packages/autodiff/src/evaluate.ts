/**
 * Running a graph on a Backend, node by node, disposing every intermediate
 * after its last use; or handing the whole graph to a {@link GraphExecutor}.
 */
import { shapeToString, sizeOf, type Backend, type HostArray, type Tensor } from '@sublora/tensor';
import { GraphError, type Graph } from './ir/types';
import { planFusion, RECOMPUTED, type FusionPlan } from './fusion';
import { primitive } from './primitives/table';

/** A backend that runs whole graphs itself (e.g. onnxruntime compiles them once per shape). */
export interface GraphExecutor {
  /** Runs `graph` on `inputs` (handles of this backend, one per graph input); returns one handle per output. */
  executeGraph(graph: Graph, inputs: readonly Tensor[]): Promise<Tensor[]>;
}

/** True when `backend` can take whole graphs. */
export function isGraphExecutor(backend: object): backend is GraphExecutor {
  return typeof (backend as Partial<GraphExecutor>).executeGraph === 'function';
}

/** A graph argument: a tensor of the backend, host data (row-major) or a number (scalars). */
export type GraphArgument = Tensor | ArrayLike<number> | number;

function isTensor(x: GraphArgument): x is Tensor {
  return typeof x === 'object' && x !== null && 'backend' in x && 'shape' in x && 'dtype' in x;
}

/** Converts arguments to tensors; returns the tensors and which ones were created here. */
function bindInputs(
  graph: Graph,
  backend: Backend,
  args: readonly GraphArgument[],
): { tensors: Tensor[]; created: boolean[] } {
  if (args.length !== graph.inputs.length) {
    throw new GraphError(
      'evaluate',
      `graph takes ${graph.inputs.length} inputs (${graph.inputs.map((s) => s.name).join(', ')}) but got ${args.length}`,
    );
  }
  const created: boolean[] = [];
  const tensors = graph.inputs.map((s, i) => {
    const a = args[i];
    if (isTensor(a)) {
      if (a.backend !== backend.name)
        throw new GraphError(
          'evaluate',
          `input ${s.name} belongs to backend ${a.backend}, not ${backend.name}`,
        );
      if (a.dtype !== s.dtype || shapeToString(a.shape) !== shapeToString(s.shape)) {
        throw new GraphError(
          'evaluate',
          `input ${s.name} must be ${s.dtype}${shapeToString(s.shape)}, got ${a.dtype}${shapeToString(a.shape)}`,
        );
      }
      created.push(false);
      return a;
    }
    const data = typeof a === 'number' ? [a] : a;
    if (!data || typeof data.length !== 'number' || data.length !== sizeOf(s.shape)) {
      throw new GraphError(
        'evaluate',
        `input ${s.name} needs ${sizeOf(s.shape)} values for shape ${shapeToString(s.shape)}, got ${data && typeof data.length === 'number' ? data.length : String(a)}`,
      );
    }
    created.push(true);
    return backend.fromArray(data, s.shape, s.dtype);
  });
  return { tensors, created };
}

/** The time one node's kernel took in a profiled {@link evaluate}. */
export interface NodeTiming {
  /** The node's id in the evaluated graph. */
  readonly id: number;
  readonly op: string;
  /** The node's output shape. */
  readonly shape: readonly number[];
  /** Wall time of the kernel call, in milliseconds. */
  readonly ms: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /**
   * When given, `evaluate` appends one {@link NodeTiming} per executed node
   * (wall time of the backend call). Exact for eager backends such as the
   * reference backend; for a backend that queues work it is the dispatch
   * time; a {@link GraphExecutor} runs the graph as a whole and records
   * nothing. Summarize it with {@link profileByOp}.
   */
  readonly profile?: NodeTiming[];
  /**
   * Run chains of elementwise nodes as one fused kernel where the backend has
   * `elementwise` (the reference backend does; see `fusion.ts`). Default
   * true; the results are the same bit for bit. A fused chain is profiled as
   * one node with op `fused`, under its last node's id.
   */
  readonly fuse?: boolean;
  /**
   * A debugging aid, like JAX's `jax_debug_nans`: read back every input and
   * every computed value and throw a one-line {@link GraphError} at the first
   * NaN or infinity, naming the input, or the node, its op and its operands
   * (all finite: every earlier value was checked). Runs node by node: no
   * fusion, and a {@link GraphExecutor} backend is driven kernel by kernel.
   * Slow (a read per node): for finding where a loss breaks, not for
   * training. A value masked out later (`where(x > 0, log(x), 0)`) still
   * stops it. Default false.
   */
  readonly checkFinite?: boolean;
}

/** Totals of a profile per op and output rank: `[op, rank]`, node count and milliseconds, slowest first. */
export interface OpTiming {
  readonly op: string;
  /** Output rank of the nodes counted (batched tangents have one more axis than their primals). */
  readonly rank: number;
  readonly nodes: number;
  readonly ms: number;
}

/** Groups a profile by op and output rank, slowest first. */
export function profileByOp(profile: readonly NodeTiming[]): OpTiming[] {
  const rows = new Map<string, { op: string; rank: number; nodes: number; ms: number }>();
  for (const t of profile) {
    const key = `${t.op}/${t.shape.length}`;
    const row = rows.get(key) ?? { op: t.op, rank: t.shape.length, nodes: 0, ms: 0 };
    row.nodes++;
    row.ms += t.ms;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.ms - a.ms);
}

/** Fusion plans by graph (a plan is a function of the graph alone). */
const fusionPlans = new WeakMap<Graph, FusionPlan>();

/**
 * Evaluates `graph` on `backend`. Returns one tensor per output (owned by the
 * caller: dispose them). Intermediates are disposed after their last use;
 * caller-provided tensors are never disposed. If the backend implements
 * {@link GraphExecutor}, the whole graph is handed to it. Pass
 * `options.profile` to collect per-node kernel timings.
 */
export async function evaluate(
  graph: Graph,
  backend: Backend,
  inputs: readonly GraphArgument[],
  options: EvaluateOptions = {},
): Promise<Tensor[]> {
  const { tensors, created } = bindInputs(graph, backend, inputs);
  const profile = options.profile;
  const checkFinite = options.checkFinite === true;
  if (isGraphExecutor(backend) && !checkFinite) {
    try {
      return await backend.executeGraph(graph, tensors);
    } finally {
      tensors.forEach((t, i) => created[i] && !graph.outputs.includes(i) && backend.dispose(t));
    }
  }
  const n = graph.nodes.length;
  const uses = new Array<number>(n).fill(0);
  const needed = new Array<boolean>(n).fill(false);
  for (const id of graph.outputs) needed[id] = true;
  for (let id = n - 1; id >= 0; id--) {
    if (!needed[id]) continue;
    for (const i of graph.nodes[id].inputs) {
      needed[i] = true;
      uses[i]++;
    }
  }
  const isOutput = new Array<boolean>(n).fill(false);
  for (const id of graph.outputs) isOutput[id] = true;
  const owned = (id: number) => !isOutput[id] && (graph.nodes[id].op !== 'input' || created[id]);
  let fused: FusionPlan | undefined;
  if (backend.elementwise && options.fuse !== false && !checkFinite) {
    // depends on the graph alone; graphs are evaluated many times (training steps)
    fused = fusionPlans.get(graph);
    if (!fused) {
      fused = planFusion(graph, needed, uses, isOutput);
      fusionPlans.set(graph, fused);
    }
    fused.extraReads.forEach((k, id) => (uses[id] += k));
  }
  const values: (Tensor | undefined)[] = new Array(n);
  const release = (inputs: readonly number[]) => {
    for (const i of inputs) {
      if (--uses[i] === 0 && owned(i)) {
        backend.dispose(values[i] as Tensor);
        values[i] = undefined;
      }
    }
  };
  try {
    for (const node of graph.nodes) {
      if (node.op === 'input') {
        values[node.id] = tensors[node.id];
        if (checkFinite && needed[node.id])
          await assertFinite(graph, node.id, backend, tensors[node.id]);
        if (!needed[node.id] && owned(node.id)) backend.dispose(tensors[node.id]);
        continue;
      }
      if (!needed[node.id]) continue;
      const root = fused ? fused.root[node.id] : -1;
      // computed inside its cluster's kernel, or inside each kernel that reads it
      if (root === RECOMPUTED || (root >= 0 && root !== node.id)) continue;
      const cluster = root >= 0 ? fused?.clusters.get(root) : undefined;
      const t0 = profile ? performance.now() : 0;
      if (cluster && backend.elementwise) {
        const operands = cluster.leaves.map((i) => values[i] as Tensor);
        values[node.id] = backend.elementwise(cluster.program, operands, node.shape);
      } else {
        const operands = node.inputs.map((i) => values[i] as Tensor);
        values[node.id] = primitive(node.op).evaluate(backend, operands, node.params, node);
      }
      if (profile) {
        const op = cluster ? 'fused' : node.op;
        profile.push({ id: node.id, op, shape: node.shape, ms: performance.now() - t0 });
      }
      // after the timing: a profile with the check on times the kernels, not the reads
      if (checkFinite) await assertFinite(graph, node.id, backend, values[node.id] as Tensor);
      if (!cluster) release(node.inputs);
      else
        for (const m of cluster.members)
          release(
            graph.nodes[m].inputs.filter(
              (i) => fused?.root[i] !== root && fused?.root[i] !== RECOMPUTED,
            ),
          );
    }
  } catch (e) {
    values.forEach((t, id) => t && owned(id) && backend.dispose(t));
    throw e;
  }
  return graph.outputs.map((id) => values[id] as Tensor);
}

/**
 * What {@link evaluate} throws with `checkFinite` at the first NaN or
 * infinity: a {@link GraphError} whose message is `evaluate: checkFinite: `
 * and then {@link NonFiniteValueError.description} (which input or node, and
 * where in it), so callers can quote the finding without parsing the message.
 */
export class NonFiniteValueError extends GraphError {
  constructor(
    /** The input's or node's id in the evaluated graph. */
    readonly id: number,
    readonly value: number,
    readonly description: string,
  ) {
    super('evaluate', `checkFinite: ${description}`);
    this.name = 'NonFiniteValueError';
  }
}

/** Throws (checkFinite) when node `id`'s value holds a NaN or an infinity. */
async function assertFinite(graph: Graph, id: number, backend: Backend, t: Tensor): Promise<void> {
  const data = await backend.read(t);
  let at = 0;
  while (at < data.length && Number.isFinite(data[at])) at++;
  if (at === data.length) return;
  const node = graph.nodes[id];
  const where = `at flat index ${at} of ${node.dtype}${shapeToString(node.shape)}`;
  if (node.op === 'input') {
    const name = graph.inputs[id].name;
    throw new NonFiniteValueError(
      id,
      data[at],
      `input ${name} is ${data[at]} ${where}; pass finite values`,
    );
  }
  const operands = node.inputs.map((i) => `%${i} ${graph.nodes[i].op}`).join(', ');
  throw new NonFiniteValueError(
    id,
    data[at],
    `node %${id} = ${node.op}(${operands}) is ${data[at]} ${where}, from finite operands`,
  );
}

/** {@link evaluate} (same options), then reads every output back to the host and disposes the output tensors. */
export async function evaluateToArrays(
  graph: Graph,
  backend: Backend,
  inputs: readonly GraphArgument[],
  options: EvaluateOptions = {},
): Promise<HostArray[]> {
  const outs = await evaluate(graph, backend, inputs, options);
  try {
    return await Promise.all(outs.map((t) => backend.read(t)));
  } finally {
    const inputTensors = new Set(
      inputs.filter((a): a is Tensor => typeof a === 'object' && a !== null && 'backend' in a),
    );
    new Set(outs).forEach((t) => !inputTensors.has(t) && backend.dispose(t));
  }
}
