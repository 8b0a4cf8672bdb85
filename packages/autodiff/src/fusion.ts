/**
 * Elementwise fusion for eager backends: chains of unary/binary nodes whose
 * intermediate results have no other use are run as one
 * `Backend.elementwise` program (a fused kernel) instead of one kernel per
 * node, so a chain like `t1 * p1 + t2 * p2` reads each operand once and
 * writes one array. The results are the same, bit for bit: a backend's
 * fused kernel evaluates the same expressions in the same order.
 */
import {
  BINARY_OPS,
  isFusibleOperand,
  shapesEqual,
  UNARY_OPS,
  type BinaryOp,
  type ElementwiseProgram,
  type UnaryOp,
} from '@sublora/tensor';
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

/** One fused cluster: its nodes (root last), the values it reads, and its program over them. */
export interface FusedCluster {
  readonly members: readonly number[];
  /** Node ids of the operands, in register order. */
  readonly leaves: readonly number[];
  readonly program: ElementwiseProgram;
}

/** Which nodes run fused: `root[id]` is the id of the cluster's last node, or -1. */
export interface FusionPlan {
  readonly root: Int32Array;
  readonly clusters: ReadonlyMap<number, FusedCluster>;
}

/**
 * Groups `graph`'s needed elementwise nodes into clusters: a root, plus the
 * elementwise producers of its shape with exactly one use (`uses`) that are
 * not outputs, transitively. Every operand a cluster reads must have the
 * root's shape, one element, or its trailing axes. Clusters of one node are
 * left alone.
 */
export function planFusion(
  graph: Graph,
  needed: readonly boolean[],
  uses: readonly number[],
  isOutput: readonly boolean[],
): FusionPlan {
  const nodes = graph.nodes;
  const root = new Int32Array(nodes.length).fill(-1);
  const clusters = new Map<number, FusedCluster>();
  for (let id = nodes.length - 1; id >= 0; id--) {
    const r = nodes[id];
    if (!needed[id] || root[id] >= 0 || !fusible(r)) continue;
    const fits = (i: number) => isFusibleOperand(nodes[i].shape, r.shape);
    if (!r.inputs.every(fits)) continue;
    const members = [id];
    root[id] = id;
    for (let k = 0; k < members.length; k++) {
      for (const i of nodes[members[k]].inputs) {
        const p = nodes[i];
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
        members.push(i);
      }
    }
    if (members.length === 1) {
      root[id] = -1;
      continue;
    }
    members.sort((a, b) => a - b);
    const inCluster = new Set(members);
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
  return { root, clusters };
}
