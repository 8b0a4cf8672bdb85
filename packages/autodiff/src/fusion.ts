/**
 * Elementwise fusion for eager backends: chains of unary/binary nodes whose
 * intermediate results have no other use are run as one
 * `Backend.elementwise` program (a fused kernel) instead of one kernel per
 * node, so a chain like `t1 * p1 + t2 * p2` reads each operand once and
 * writes one array. Large lone nodes run as one-step programs too (the
 * reference backend's generated loop is faster than its per-op loops). The
 * results are the same, bit for bit: a backend's fused kernel evaluates the
 * same expressions in the same order.
 */
import {
  BINARY_OPS,
  isFusibleOperand,
  shapesEqual,
  sizeOf,
  UNARY_OPS,
  type BinaryOp,
  type ElementwiseProgram,
  type UnaryOp,
} from '@sublora/tensor';
import { hasSmallOperands } from './ir/cost';
import type { Graph, Node } from './ir/types';

/**
 * Whether a node is one elementwise backend kernel: its op names a `unary`
 * kernel and it has one operand, or a `binary` kernel and two (autodiff's
 * `pow` takes one operand and a constant exponent, so it is not one).
 */
function fusible(node: Node): boolean {
  const n = node.inputs.length;
  return n === 1
    ? (UNARY_OPS as readonly string[]).includes(node.op)
    : n === 2 && (BINARY_OPS as readonly string[]).includes(node.op);
}

/**
 * The fewest elements for which a lone elementwise node runs as a one-step
 * program: on the reference backend a product of two `[64, 64]` arrays took
 * 4.2 us against 6.6 us as a `binary` kernel (the generated loop is
 * unrolled), and the two were even at `[32, 32]` (a call builds a cache key).
 */
const LONE_MIN_SIZE = 1 << 12;

/** One fused cluster: its nodes (root last), the values it reads, and its program over them. */
export interface FusedCluster {
  readonly members: readonly number[];
  /** Node ids of the operands, in register order. */
  readonly leaves: readonly number[];
  readonly program: ElementwiseProgram;
}

/** `root[id]` of a node that every cluster reading it computes again in its own kernel. */
export const RECOMPUTED = -2;

/**
 * Which nodes run fused: `root[id]` is the id of the cluster's last node,
 * {@link RECOMPUTED}, or -1 (a kernel of its own). `extraReads[id]` is how
 * many more times clusters read node `id` than the graph's edges say (the
 * operands of a recomputed node are read once per cluster that computes it).
 */
export interface FusionPlan {
  readonly root: Int32Array;
  readonly clusters: ReadonlyMap<number, FusedCluster>;
  readonly extraReads: Int32Array;
}

/**
 * Elementwise nodes worth computing again in each consumer's kernel instead
 * of once into an array: several uses, operands that together hold at most
 * half its elements ({@link hasSmallOperands}: recomputing reads less than
 * writing it once and reading it per use); and
 * every consumer an elementwise node of its shape that fuses (so some
 * cluster always takes it in).
 */
function recomputable(
  nodes: readonly Node[],
  needed: readonly boolean[],
  uses: readonly number[],
  isOutput: readonly boolean[],
): boolean[] {
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n) => needed[n.id] && n.inputs.forEach((i) => consumers[i].push(n.id)));
  const fitsAll = (n: Node) => n.inputs.every((i) => isFusibleOperand(nodes[i].shape, n.shape));
  return nodes.map((p) => {
    if (!needed[p.id] || isOutput[p.id] || uses[p.id] < 2 || !fusible(p) || !fitsAll(p))
      return false;
    if (!hasSmallOperands(nodes, p)) return false;
    return consumers[p.id].every((c) => {
      const n = nodes[c];
      return fusible(n) && shapesEqual(n.shape, p.shape) && fitsAll(n);
    });
  });
}

/**
 * Groups `graph`'s needed elementwise nodes into clusters: a root, plus the
 * elementwise producers of its shape with exactly one use (`uses`) that are
 * not outputs, transitively, plus the {@link recomputable} producers each
 * cluster reads (computed in every such cluster, never stored). Every
 * operand a cluster reads must broadcast to the root's shape. A cluster of
 * one node is kept only from {@link LONE_MIN_SIZE} elements on.
 */
export function planFusion(
  graph: Graph,
  needed: readonly boolean[],
  uses: readonly number[],
  isOutput: readonly boolean[],
): FusionPlan {
  const nodes = graph.nodes;
  const root = new Int32Array(nodes.length).fill(-1);
  const extraReads = new Int32Array(nodes.length);
  const clusters = new Map<number, FusedCluster>();
  const again = recomputable(nodes, needed, uses, isOutput);
  again.forEach((r, id) => r && (root[id] = RECOMPUTED));
  for (let id = nodes.length - 1; id >= 0; id--) {
    const r = nodes[id];
    if (!needed[id] || root[id] !== -1 || !fusible(r)) continue;
    const fits = (i: number) => isFusibleOperand(nodes[i].shape, r.shape);
    if (!r.inputs.every(fits)) continue;
    const members = [id];
    const inCluster = new Set(members);
    root[id] = id;
    for (let k = 0; k < members.length; k++) {
      for (const i of nodes[members[k]].inputs) {
        const p = nodes[i];
        if (again[i]) {
          if (!inCluster.has(i)) {
            inCluster.add(i);
            members.push(i);
          }
          continue;
        }
        if (
          root[i] >= 0 ||
          !fusible(p) ||
          uses[i] !== 1 ||
          isOutput[i] ||
          !shapesEqual(p.shape, r.shape) ||
          !p.inputs.every(fits)
        )
          continue;
        root[i] = id;
        inCluster.add(i);
        members.push(i);
      }
    }
    if (members.length === 1 && sizeOf(r.shape) < LONE_MIN_SIZE) {
      root[id] = -1;
      continue;
    }
    members.sort((a, b) => a - b);
    for (const m of members) if (again[m]) for (const i of nodes[m].inputs) extraReads[i]++;
    const leaves: number[] = [];
    const register = new Map<number, number>();
    for (const m of members)
      for (const i of nodes[m].inputs)
        if (!inCluster.has(i) && !register.has(i)) {
          register.set(i, leaves.length);
          leaves.push(i);
        }
    const steps = members.map((m, s) => {
      register.set(m, leaves.length + s);
      const node = nodes[m];
      return {
        op: node.op as UnaryOp | BinaryOp,
        args: node.inputs.map((i) => register.get(i) as number),
      };
    });
    clusters.set(id, { members, leaves, program: { steps } });
  }
  // the graph's edges already count one read of each recomputed node's operands
  again.forEach((r, id) => r && nodes[id].inputs.forEach((i) => extraReads[i]--));
  return { root, clusters, extraReads };
}
