/** Forward mode: staged jvp of a graph, with symbolic-zero tangents. */
import { Builder, type Value } from '../ir/builder';
import type { Graph, Node } from '../ir/types';
import { primitive } from '../primitives/table';
import type { Tangent, TangentAlgebra } from '../primitives/types';
import { simplify } from '../passes/simplify';
import { Tangents } from './tangents';
import { normalizeWrt } from './wrt';

/**
 * Replaces the value and tangent rule of some nodes during {@link jvpNodes}:
 * returns the node's value and tangent, or undefined for the usual rule.
 */
export type JvpOverride = (
  node: Node,
  primals: readonly Value[],
  tangents: readonly Tangent[],
) => { value: Value; tangent: Tangent } | undefined;

/**
 * Emits `graph`'s primal nodes and their tangents into `builder`. `seeds[i]` is
 * the tangent of input i (`null` = zero). Returns every node's value and tangent.
 */
export function jvpNodes(
  builder: Builder,
  graph: Graph,
  args: readonly Value[],
  seeds: readonly Tangent[],
  T: TangentAlgebra,
  override?: JvpOverride,
): { values: Value[]; tangents: Tangent[] } {
  const values: Value[] = [];
  const tangents: Tangent[] = [];
  for (const node of graph.nodes) {
    if (node.op === 'input') {
      const i = node.params.index as number;
      values.push(args[i]);
      tangents.push(seeds[i]);
      continue;
    }
    const primals = node.inputs.map((i) => values[i]);
    const replaced = override?.(
      node,
      primals,
      node.inputs.map((i) => tangents[i]),
    );
    if (replaced) {
      values.push(replaced.value);
      tangents.push(replaced.tangent);
      continue;
    }
    const out = builder.emit(node.op, primals, node.params);
    values.push(out);
    const ts = node.inputs.map((i) => tangents[i]);
    tangents.push(
      ts.every((t) => t === null)
        ? null
        : primitive(node.op).jvp({ primals, tangents: ts, out, params: node.params, T }),
    );
  }
  return { values, tangents };
}

/** Options naming the differentiated inputs by position. */
export interface WrtOptions {
  /** Input index, or indices. */
  readonly wrt: number | readonly number[];
}

/**
 * Forward mode. The new graph takes f's inputs followed by one tangent per
 * `wrt` input (named `d_<name>`) and returns f's outputs followed by their
 * tangents.
 */
export function jvp(f: Graph, options: WrtOptions): Graph {
  const wrt = normalizeWrt('jvp', f, options.wrt);
  const tanSpecs = wrt.map((i) => ({ ...f.inputs[i], name: `d_${f.inputs[i].name}` }));
  const b = new Builder([...f.inputs, ...tanSpecs]);
  const args = b.args.slice(0, f.inputs.length);
  const seeds: Tangent[] = f.inputs.map(() => null);
  wrt.forEach((i, k) => (seeds[i] = b.args[f.inputs.length + k]));
  const T = new Tangents();
  const { values, tangents } = jvpNodes(b, f, args, seeds, T);
  const outs = f.outputs.map((id) => values[id]);
  const touts = f.outputs.map((id) => T.denseOrZeros(tangents[id], values[id], values[id]));
  return simplify(b.finish([...outs, ...touts]));
}
