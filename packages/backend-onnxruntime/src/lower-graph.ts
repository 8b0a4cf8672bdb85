/**
 * Lowering of `@sublora/autodiff` graphs (see `packages/autodiff/IR.md`) to
 * ONNX: each primitive becomes the node sequence of the matching Backend
 * kernel (the same lowering `read` uses), graph inputs become model inputs,
 * constants and fills become initializers.
 */
import { createHash } from 'node:crypto';
import { isHashedArray, paramsKey, useCounts, type Graph, type Node } from '@sublora/autodiff';
import {
  TensorError,
  UNARY_OPS,
  type BinaryOp,
  type CompareOp,
  type DType,
  type ReduceOp,
  type UnaryOp,
} from '@sublora/tensor';
import * as k from './kernels';
import { buildPlanModel, opNode, plan, type LazyNode } from './lazy-graph';
import type { OnnxElemType, onnx } from './onnx-model';

const UNARY = new Set<string>(UNARY_OPS);
const BINARY = new Set<string>(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);
const REDUCE = new Set<string>(['sum', 'mean', 'max']);

/** The primitives {@link lowerGraph} knows (IR.md section 2, plus the Backend's extra elementwise ops). */
export const LOWERED_PRIMITIVES: readonly string[] = [
  'input',
  'constant',
  'fill',
  ...UNARY,
  ...BINARY,
  'pow',
  'matmul',
  'transpose',
  'reshape',
  'broadcast',
  ...REDUCE,
  'slice',
  'concat',
  'gather',
  'scatterAdd',
  'compare',
  'where',
  'cast',
];

function num(node: Node, name: string): number {
  const v = node.params[name];
  if (typeof v !== 'number')
    throw new TensorError(node.op, `node %${node.id} needs a numeric param '${name}'`);
  return v;
}

function nums(node: Node, name: string): number[] {
  const v = node.params[name];
  if (!Array.isArray(v))
    throw new TensorError(node.op, `node %${node.id} needs a number[] param '${name}'`);
  return [...(v as readonly number[])];
}

/** Records one primitive application on the lazy graph (the kernels check shapes again). */
function lowerNode(node: Node, args: readonly LazyNode[]): LazyNode {
  const [x, y, z] = args;
  const op = node.op;
  if (UNARY.has(op)) return k.unary(op as UnaryOp, x);
  if (BINARY.has(op)) return k.binary(op as BinaryOp, x, y);
  if (REDUCE.has(op))
    return k.reduce(op as ReduceOp, x, nums(node, 'axes'), node.params.keepDims === true);
  switch (op) {
    case 'constant':
      return k.fromArray(nums(node, 'data'), node.shape, node.dtype);
    case 'fill':
      return k.fill(node.shape, num(node, 'value'), node.dtype);
    case 'pow':
      return k.binary('pow', x, k.fill([], num(node, 'exponent'), x.dtype));
    case 'matmul':
      return k.matmul(x, y, {
        transposeA: node.params.transposeA === true,
        transposeB: node.params.transposeB === true,
      });
    case 'transpose':
      return k.transpose(x, nums(node, 'perm'));
    case 'reshape':
      return k.reshape(x, nums(node, 'shape'));
    case 'broadcast':
      return k.broadcastTo(x, nums(node, 'shape'));
    case 'slice':
      return k.slice(x, nums(node, 'begin'), nums(node, 'size'));
    case 'concat':
      return k.concat(args, num(node, 'axis'));
    case 'gather':
      return k.gather(x, nums(node, 'indices'), num(node, 'axis'));
    case 'scatterAdd':
      return k.scatterAdd(x, nums(node, 'indices'), num(node, 'axis'), num(node, 'axisSize'));
    case 'compare':
      return k.compare(node.params.op as CompareOp, x, y);
    case 'where':
      return k.where(x, y, z);
    case 'cast':
      return k.cast(x, node.params.dtype as DType);
    default:
      throw new TensorError(
        'lowerGraph',
        `primitive '${op}' (node %${node.id}) has no ONNX lowering; known: ${LOWERED_PRIMITIVES.join(', ')}`,
      );
  }
}

/** A slice that is one row block of a stacked product: `rows @ right` computes it directly. */
interface StackedBlock {
  readonly rows: number;
  /** The stacked product the slice reads. */
  readonly product: number;
  readonly right: number;
  readonly transposeB: boolean;
}

/**
 * Slices to lower as products of their own block. `@sublora/nn` stacks the
 * Taylor streams of a layer into one product, `slice(concat(B_1..B_n) @ W)`
 * (and its adjoint and tangents do the same with `W^T`); when every use of
 * such a product is a slice taking one block's rows whole (else it stays
 * stacked: its blocks would be computed twice), each slice is
 * `B_i @ W`, and onnxruntime then skips the concat and slice copies (about
 * 9 % of a w = 1000 Hessian's kernel time). A row of a product does not
 * depend on the other rows, so the values are those of the stacked product.
 * The reference backend keeps the stacked form (one product is what its
 * threads and packing prefer).
 */
function stackedProductBlocks(graph: Graph): Map<number, StackedBlock> {
  const uses = useCounts(graph);
  const sliceUses = new Array<number>(graph.nodes.length).fill(0);
  for (const node of graph.nodes)
    if (node.op === 'slice') for (const i of node.inputs) sliceUses[i]++;
  const blocks = new Map<number, StackedBlock>();
  // products with a slice use that is not one whole block: they stay stacked
  const keptStacked = new Set<number>();
  for (const node of graph.nodes) {
    if (node.op !== 'slice') continue;
    const product = graph.nodes[node.inputs[0]];
    if (product.op !== 'matmul' || product.params.transposeA === true) continue;
    if (uses[product.id] !== sliceUses[product.id]) continue;
    const stack = graph.nodes[product.inputs[0]];
    const rank = stack.shape.length;
    // the product's rows are the stack's rows (its axis rank - 2) at the product's axis -2
    const rowAxis = product.shape.length - 2;
    if (stack.op !== 'concat' || rank < 2 || num(stack, 'axis') !== rank - 2) continue;
    const begin = nums(node, 'begin');
    const size = node.shape;
    const wholeElsewhere = size.every(
      (d, axis) => axis === rowAxis || (begin[axis] === 0 && d === product.shape[axis]),
    );
    let block: number | undefined;
    let offset = 0;
    for (const i of wholeElsewhere ? stack.inputs : []) {
      const rows = graph.nodes[i].shape[rank - 2];
      if (offset === begin[rowAxis] && rows === size[rowAxis]) {
        block = i;
        break;
      }
      offset += rows;
    }
    if (block === undefined) keptStacked.add(product.id);
    else
      blocks.set(node.id, {
        rows: block,
        product: product.id,
        right: product.inputs[1],
        transposeB: product.params.transposeB === true,
      });
  }
  for (const [slice, block] of blocks) if (keptStacked.has(block.product)) blocks.delete(slice);
  return blocks;
}

/** Options of {@link lowerGraph}. */
export interface LowerGraphOptions {
  /** Precision of the model: `float32` computes float64 values in float32 (default: as the graph says). */
  readonly computeDtype?: DType;
  /** Model input names (default: the graph's input names when they are distinct, else `input<i>`). */
  readonly inputNames?: readonly string[];
  /** Model output names (default `output<i>`). */
  readonly outputNames?: readonly string[];
}

/** A lowered graph: the model and its input/output names, in the graph's positional order. */
export interface LoweredGraph {
  readonly model: onnx.ModelProto;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function defaultInputNames(graph: Graph): string[] {
  const names = graph.inputs.map((s) => s.name);
  const usable =
    new Set(names).size === names.length &&
    names.every((n) => SAFE_NAME.test(n) && !/^output\d+$/.test(n));
  return usable ? names : names.map((_, i) => `input${i}`);
}

/**
 * Lowers an autodiff graph to an ONNX model with the full metadata
 * (input/output names). {@link lowerGraph} returns the model alone.
 * @throws TensorError naming the node when a primitive has no lowering or its shapes do not match
 */
export function lowerGraphWithNames(graph: Graph, options: LowerGraphOptions = {}): LoweredGraph {
  const {
    computeDtype = 'float64',
    inputNames = defaultInputNames(graph),
    outputNames = graph.outputs.map((_, i) => `output${i}`),
  } = options;
  if (inputNames.length !== graph.inputs.length)
    throw new Error(
      `lowerGraph: ${inputNames.length} inputNames for ${graph.inputs.length} inputs`,
    );
  if (outputNames.length !== graph.outputs.length)
    throw new Error(
      `lowerGraph: ${outputNames.length} outputNames for ${graph.outputs.length} outputs`,
    );
  const placeholders = graph.inputs.map((spec) =>
    opNode('placeholder', [], spec.shape, spec.dtype, () => {
      throw new Error('internal: a graph input was emitted as an op');
    }),
  );
  const values: LazyNode[] = [];
  const stacked = stackedProductBlocks(graph);
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      values.push(placeholders[num(node, 'index')]);
      continue;
    }
    const block = stacked.get(node.id);
    const lowered = block
      ? k.matmul(values[block.rows], values[block.right], { transposeB: block.transposeB })
      : lowerNode(
          node,
          node.inputs.map((i) => values[i]),
        );
    if (lowered.shape.join(',') !== node.shape.join(',') || lowered.dtype !== node.dtype) {
      throw new TensorError(
        node.op,
        `node %${node.id} declares ${node.dtype}[${node.shape.join(',')}] but its inputs give ${lowered.dtype}[${lowered.shape.join(',')}]`,
      );
    }
    values.push(lowered);
  }
  const elem = (d: DType): OnnxElemType => (computeDtype === 'float32' ? 'float32' : d);
  const p = plan(
    graph.outputs.map((id) => values[id]),
    computeDtype,
    new Set(placeholders),
  );
  const unusedInputs = placeholders
    .map((ph, i) => (p.leaves.includes(ph) ? -1 : i))
    .filter((i) => i >= 0);
  const builder = buildPlanModel(p, elem, {
    inputName: (leaf) => {
      const i = placeholders.indexOf(leaf);
      return i >= 0 ? inputNames[i] : undefined;
    },
    outputNames,
    graphName: 'sublora_autodiff',
  });
  // Inputs the outputs do not depend on still belong to the signature (positional calls).
  for (const i of unusedInputs)
    builder.input(inputNames[i], elem(graph.inputs[i].dtype), graph.inputs[i].shape);
  return {
    model: builder.build(`lowered from @sublora/autodiff (compute ${computeDtype})`),
    inputNames,
    outputNames,
  };
}

/** Lowers an autodiff graph to an ONNX model (one node sequence per primitive). */
export function lowerGraph(graph: Graph, options: LowerGraphOptions = {}): onnx.ModelProto {
  return lowerGraphWithNames(graph, options).model;
}

/**
 * A structural hash of a graph: equal hashes lower to the same model. Params
 * enter through `paramsKey`; long number arrays (constants' data, which the
 * model embeds) also enter as their float64 bytes, so the sha256 covers
 * every entry: `paramsKey`'s own content hash is not collision-resistant,
 * and a key collision here would run a session compiled with other constants.
 */
export function graphKey(graph: Graph, computeDtype: DType): string {
  const h = createHash('sha256');
  h.update(
    `graph|${computeDtype}|${JSON.stringify(graph.inputs)}|${JSON.stringify(graph.outputs)}\n`,
  );
  for (const n of graph.nodes) {
    h.update(
      `${n.op}|${paramsKey(n.params)}|${n.dtype}[${n.shape.join(',')}]|${n.inputs.join(',')}\n`,
    );
    for (const key of Object.keys(n.params).sort()) {
      const v = n.params[key];
      if (isHashedArray(v)) h.update(new Uint8Array(Float64Array.from(v).buffer));
    }
  }
  return h.digest('base64');
}
