/**
 * The recorded (lazy) graph behind the backend's handles, and its compilation
 * into one ONNX model per read.
 *
 * A kernel call records a {@link LazyNode}; nothing runs. `read` collects the
 * nodes its targets depend on, stopping at nodes whose value is known
 * (host data, or results of earlier reads): those become graph inputs. The
 * structure (ops, parameters, dtypes, shapes, wiring, but not input values) is
 * written into a key, so a training loop that records the same computation
 * on new data hits the same compiled session.
 */
import { createHash } from 'node:crypto';
import { shapeToString as fmt, type DType, type HostArray } from '@sublora/tensor';
import { OnnxGraphBuilder, type OnnxElemType } from './onnx-model';

/** What a node's lowering may use. */
export interface EmitContext {
  readonly builder: OnnxGraphBuilder;
  /** The ONNX element type a tensor of `dtype` is computed in. */
  elem(dtype: DType): OnnxElemType;
}

/** Writes the ONNX nodes of one recorded op; returns the name of its result. */
export type Emit = (ctx: EmitContext, inputs: readonly string[]) => string;

/** One recorded op, or a tensor whose value is known. */
export interface LazyNode {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The op and its parameters (everything but the inputs) as text; part of the structural key. */
  signature: string;
  inputs: readonly LazyNode[];
  emit: Emit | undefined;
  /** Known value: host data, or the cached result of an earlier read. */
  value: HostArray | undefined;
  /** `value` converted to float32 for a float32-compute graph (made on demand). */
  value32?: Float32Array;
}

/** A node whose value is known. */
export function leafNode(value: HostArray, shape: readonly number[], dtype: DType): LazyNode {
  return { shape, dtype, signature: 'input', inputs: [], emit: undefined, value };
}

/** A recorded op. */
export function opNode(
  signature: string,
  inputs: readonly LazyNode[],
  shape: readonly number[],
  dtype: DType,
  emit: Emit,
): LazyNode {
  return { shape, dtype, signature, inputs, emit, value: undefined };
}

/** Stores a computed value and drops the node's inputs, so the graph behind it can be collected. */
export function settle(node: LazyNode, value: HostArray): void {
  node.value = value;
  node.inputs = [];
  node.emit = undefined;
}

/** The nodes a set of targets needs, in dependency order, and the structural key. */
export interface Plan {
  /** Leaves first-seen order; they become graph inputs `x0`, `x1`, ... */
  readonly leaves: readonly LazyNode[];
  /** Ops in dependency order. */
  readonly ops: readonly LazyNode[];
  readonly targets: readonly LazyNode[];
  /** Hash of the structure; equal keys compile to the same model. */
  readonly key: string;
}

/**
 * Walks the graph below `targets` (iteratively: recorded graphs can be deep).
 * @param computeTag - distinguishes compute precisions in the key
 * @param cut - nodes to treat as leaves even without a value (graph inputs of an export)
 */
export function plan(
  targets: readonly LazyNode[],
  computeTag: string,
  cut: ReadonlySet<LazyNode> = new Set(),
): Plan {
  const index = new Map<LazyNode, number>();
  const leaves: LazyNode[] = [];
  const ops: LazyNode[] = [];
  const keyParts: string[] = [computeTag];
  const visit = (root: LazyNode): void => {
    const stack: { node: LazyNode; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const { node } = top;
      if (index.has(node)) {
        stack.pop();
        continue;
      }
      const isLeaf = node.value !== undefined || cut.has(node);
      if (!isLeaf && top.next < node.inputs.length) {
        stack.push({ node: node.inputs[top.next++], next: 0 });
        continue;
      }
      stack.pop();
      if (isLeaf) {
        index.set(node, leaves.length);
        leaves.push(node);
        keyParts.push(`x${node.dtype}${fmt(node.shape)}`);
      } else {
        index.set(node, -1 - ops.length);
        ops.push(node);
        keyParts.push(
          `${node.signature}|${node.dtype}${fmt(node.shape)}|${node.inputs.map((i) => index.get(i)).join(',')}`,
        );
      }
    }
  };
  for (const t of targets) visit(t);
  keyParts.push(`out:${targets.map((t) => index.get(t)).join(',')}`);
  const key = createHash('sha256').update(keyParts.join('\n')).digest('base64');
  return { leaves, ops, targets, key };
}

/** Naming and embedding choices of {@link buildPlanModel}. */
export interface PlanModelOptions {
  /** Graph input name of leaf `i`, or `undefined` to store the leaf's value in the model as an initializer. */
  readonly inputName?: (leaf: LazyNode, i: number) => string | undefined;
  /** Graph output names, one per target (default `y<i>`). */
  readonly outputNames?: readonly string[];
  readonly graphName?: string;
}

/**
 * Builds the ONNX model of a plan: leaves are graph inputs (default `x<i>`)
 * or initializers holding their values; targets are outputs (default `y<i>`).
 */
export function buildPlanModel(
  p: Plan,
  elem: (d: DType) => OnnxElemType,
  options: PlanModelOptions = {},
): OnnxGraphBuilder {
  const {
    inputName = (_: LazyNode, i: number) => `x${i}`,
    outputNames = p.targets.map((_, i) => `y${i}`),
    graphName = 'sublora_lazy',
  } = options;
  const builder = new OnnxGraphBuilder(graphName);
  const ctx: EmitContext = { builder, elem };
  const names = new Map<LazyNode, string>();
  p.leaves.forEach((leaf, i) => {
    const type = elem(leaf.dtype);
    const input = inputName(leaf, i);
    const name = input ?? `_x${i}`;
    if (input === undefined) {
      if (leaf.value === undefined) throw new Error('internal: an embedded leaf has no value');
      builder.initializer(type, leaf.shape, leaf.value as HostArray, name);
    } else {
      builder.input(name, type, leaf.shape);
    }
    names.set(leaf, name);
  });
  for (const node of p.ops) {
    const emit = node.emit as Emit;
    names.set(
      node,
      emit(
        ctx,
        node.inputs.map((i) => names.get(i) as string),
      ),
    );
  }
  p.targets.forEach((t, i) => {
    // An Identity per output gives each output its own name even when two targets share a node.
    const out = builder.node('Identity', [names.get(t) as string], {}, outputNames[i]);
    builder.output(out, elem(t.dtype), t.shape);
  });
  return builder;
}
