/** Re-emitting a graph node by node, optionally rewriting nodes on the way. */
import { Builder, type Value } from '../ir/builder';
import type { Graph, Node } from '../ir/types';

/** Returns a replacement for `node` (given its re-emitted operands), or undefined to keep it. */
export type Rewrite = (
  node: Node,
  operands: readonly Value[],
  builder: Builder,
) => Value | undefined;

/** Re-emits `g` through a fresh {@link Builder} (which merges duplicates), applying `rewrite`. */
export function rebuild(g: Graph, rewrite?: Rewrite): Graph {
  const b = new Builder(g.inputs);
  const vals: Value[] = [];
  for (const node of g.nodes) {
    if (node.op === 'input') {
      vals.push(b.args[node.params.index as number]);
      continue;
    }
    const operands = node.inputs.map((i) => vals[i]);
    vals.push(rewrite?.(node, operands, b) ?? b.emit(node.op, operands, node.params));
  }
  return b.finish(g.outputs.map((id) => vals[id]));
}
