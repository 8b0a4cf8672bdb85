/** Dead-code elimination. */
import type { Graph, Node } from '../ir/types';

/**
 * Drops every node no output depends on (input nodes always stay); renumbers
 * ids. Returns `g` itself when every node is live (graphs are immutable, and
 * the copy would equal it): most calls in `simplify` find nothing to drop.
 */
export function dce(g: Graph): Graph {
  const live = g.nodes.map((n) => n.op === 'input');
  for (const id of g.outputs) live[id] = true;
  for (let id = g.nodes.length - 1; id >= 0; id--) {
    if (live[id]) for (const i of g.nodes[id].inputs) live[i] = true;
  }
  if (live.every((l) => l)) return g;
  const newId = new Array<number>(g.nodes.length).fill(-1);
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (!live[n.id]) continue;
    newId[n.id] = nodes.length;
    nodes.push({ ...n, id: nodes.length, inputs: n.inputs.map((i) => newId[i]) });
  }
  return { inputs: g.inputs, nodes, outputs: g.outputs.map((id) => newId[id]) };
}
