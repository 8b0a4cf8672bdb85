/** Reverse mode: staged vjp of a graph, with symbolic-zero cotangents. */
import { Builder, type Value } from '../ir/builder';
import { inlineNodes } from '../ir/trace';
import { GraphError, type Graph, type Params } from '../ir/types';
import { add, full } from '../ops';
import { simplify } from '../passes/simplify';
import { primitive, reverseRule } from '../primitives/table';
import type { WrtOptions } from './jvp';
import { normalizeWrt } from './wrt';

/** Options of {@link vjpNodes}. */
export interface VjpNodesOptions {
  /**
   * Wrap the cotangent of every `matmul` with exactly one operand that depends
   * on a `wrt` input in an `adjointOf(ct, product)` mark before its backward
   * product (see `primitives/adjoint.ts`; only `hessian` asks for this and
   * removes the marks).
   */
  readonly markAdjoints?: boolean;
}

/** The length of the contracted axis of a matmul whose first operand is `a`. */
function contractionOf(a: Value, params: Params): number {
  const r = a.shape.length;
  return params.transposeA ? a.shape[r - 2] : a.shape[r - 1];
}

/**
 * Emits `graph`'s forward nodes and the backward pass into `builder`.
 * Only nodes that depend on a `wrt` input get cotangents (the rest are
 * symbolic zeros); `outCts[k]` is the cotangent of output k (`null` = zero).
 * Returns the node values and the cotangent of each `wrt` input (`null` when
 * no output depends on it).
 */
export function vjpNodes(
  builder: Builder,
  graph: Graph,
  args: readonly Value[],
  wrt: readonly number[],
  outCts: readonly (Value | null)[],
  options: VjpNodesOptions = {},
): { values: Value[]; cts: (Value | null)[] } {
  const values = inlineNodes(builder, graph, args);
  const active = graph.nodes.map(() => false);
  for (const node of graph.nodes) {
    active[node.id] =
      node.op === 'input'
        ? wrt.includes(node.params.index as number)
        : node.inputs.some((i) => active[i]);
  }
  const cts: (Value | null)[] = graph.nodes.map(() => null);
  const accumulate = (id: number, ct: Value) => {
    const prev = cts[id];
    cts[id] = prev ? add(prev, ct) : ct;
  };
  graph.outputs.forEach((id, k) => {
    const ct = outCts[k];
    if (ct && active[id]) accumulate(id, ct);
  });
  for (let id = graph.nodes.length - 1; id >= 0; id--) {
    const node = graph.nodes[id];
    const ct = cts[id];
    if (!ct || node.op === 'input' || !active[id]) continue;
    const primals = node.inputs.map((i) => values[i]);
    const needs = node.inputs.map((i) => active[i]);
    const marked =
      options.markAdjoints && node.op === 'matmul' && needs[0] !== needs[1]
        ? builder.emit('adjointOf', [ct, values[id]], {
            contraction: contractionOf(primals[0], node.params),
          })
        : ct;
    const res = reverseRule(primitive(node.op))({
      ct: marked,
      primals,
      out: values[id],
      params: node.params,
      needs,
    });
    node.inputs.forEach((i, k) => {
      const r = res[k];
      if (needs[k] && r) accumulate(i, r);
    });
  }
  return { values, cts: wrt.map((i) => cts[i]) };
}

/** The cotangent, or explicit zeros of the input's shape when it is a symbolic zero. */
function orZeros(ct: Value | null, like: Value): Value {
  return ct ?? full(like, 0, like.shape);
}

/**
 * Reverse mode. The new graph takes f's inputs followed by one cotangent per
 * output (named `ct<k>`) and returns f's outputs followed by the cotangent of
 * each `wrt` input.
 */
export function vjp(f: Graph, options: WrtOptions): Graph {
  const wrt = normalizeWrt('vjp', f, options.wrt);
  const ctSpecs = f.outputs.map((id, k) => ({
    name: `ct${k}`,
    shape: f.nodes[id].shape,
    dtype: f.nodes[id].dtype,
  }));
  const b = new Builder([...f.inputs, ...ctSpecs]);
  const args = b.args.slice(0, f.inputs.length);
  const { values, cts } = vjpNodes(b, f, args, wrt, b.args.slice(f.inputs.length));
  const outs = f.outputs.map((id) => values[id]);
  return simplify(b.finish([...outs, ...cts.map((ct, k) => orZeros(ct, args[wrt[k]]))]));
}

/** Emits value and gradients of f's first output (a scalar) w.r.t. the `wrt` inputs. */
export function gradNodes(
  builder: Builder,
  f: Graph,
  args: readonly Value[],
  wrt: readonly number[],
  options: VjpNodesOptions = {},
): { value: Value; grads: Value[] } {
  const out = f.nodes[f.outputs[0]];
  if (!out || out.shape.length !== 0) {
    throw new GraphError(
      'grad',
      `the first output must be a scalar, got shape [${out ? out.shape.join(',') : 'no output'}]; reduce it with sum or mean`,
    );
  }
  const seed = full(args[0], 1, [], out.dtype);
  const { values, cts } = vjpNodes(builder, f, args, wrt, [seed], options);
  return { value: values[f.outputs[0]], grads: cts.map((ct, k) => orZeros(ct, args[wrt[k]])) };
}

/** Gradient of f's first output (a scalar) w.r.t. each `wrt` input; same inputs as f. */
export function grad(f: Graph, options: WrtOptions): Graph {
  const wrt = normalizeWrt('grad', f, options.wrt);
  const b = new Builder(f.inputs);
  return simplify(b.finish(gradNodes(b, f, b.args, wrt).grads));
}

/** Like {@link grad} but returns `[value, ...gradients]`. */
export function valueAndGrad(f: Graph, options: WrtOptions): Graph {
  const wrt = normalizeWrt('valueAndGrad', f, options.wrt);
  const b = new Builder(f.inputs);
  const { value, grads } = gradNodes(b, f, b.args, wrt);
  return simplify(b.finish([value, ...grads]));
}
