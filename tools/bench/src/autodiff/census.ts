/**
 * A node census of a graph: how many nodes of each op, split into batched
 * tangent tensors (leading axis = the Hessian's direction batch) and the
 * rest, with estimated work (elements written; 2 m n k per matmul).
 * Used to see where a Hessian graph spends its work without timing it.
 */
import type { Graph, Node } from '@sublora/autodiff';

/** One census row: an op and shape class with its node count and work. */
export interface CensusRow {
  readonly op: string;
  /** `batched` when the leading axis is the direction batch (rank >= 3), else `unbatched`. */
  readonly kind: 'batched' | 'unbatched';
  readonly nodes: number;
  /** Elements written by these nodes (output sizes summed). */
  readonly elements: number;
  /** Estimated flops: 2 m n k per matmul output batch, elements otherwise. */
  readonly flops: number;
}

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Free shape ops on the reference backend: reshape shares its buffer. */
const FREE = new Set(['input', 'reshape', 'constant', 'fill']);

function flops(g: Graph, n: Node): number {
  if (n.op !== 'matmul')
    return n.op === 'sum' || n.op === 'mean' ? sizeOf(g.nodes[n.inputs[0]].shape) : sizeOf(n.shape);
  const a = g.nodes[n.inputs[0]].shape;
  const k = n.params.transposeA ? a[a.length - 2] : a[a.length - 1];
  return 2 * sizeOf(n.shape) * k;
}

/**
 * Counts the nodes of `g` by op and kind. A node is `batched` when it has
 * rank >= 3 and its leading axis equals `batch` (the direction batch size).
 */
export function census(g: Graph, batch: number): CensusRow[] {
  const rows = new Map<
    string,
    { op: string; kind: CensusRow['kind']; nodes: number; elements: number; flops: number }
  >();
  for (const n of g.nodes) {
    if (FREE.has(n.op)) continue;
    const kind = n.shape.length >= 3 && n.shape[0] === batch ? 'batched' : 'unbatched';
    const key = `${kind}:${n.op}`;
    const row = rows.get(key) ?? { op: n.op, kind, nodes: 0, elements: 0, flops: 0 };
    row.nodes++;
    row.elements += sizeOf(n.shape);
    row.flops += flops(g, n);
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.flops - a.flops);
}

/** Totals of a census per kind. */
export function censusTotals(
  rows: readonly CensusRow[],
): Record<CensusRow['kind'], { nodes: number; elements: number; flops: number }> {
  const zero = () => ({ nodes: 0, elements: 0, flops: 0 });
  const t = { batched: zero(), unbatched: zero() };
  for (const r of rows) {
    t[r.kind].nodes += r.nodes;
    t[r.kind].elements += r.elements;
    t[r.kind].flops += r.flops;
  }
  return t;
}
