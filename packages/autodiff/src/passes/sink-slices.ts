/**
 * Slice sinking: a slice of a value that nothing else uses is moved into the
 * computation of that value, so only the selected part is computed. E.g.
 * `slice(sum(mul(matmul(X, U), P), 0), [i], [k - i])`, the tail of a sigma
 * gradient that a Hessian pass needs by symmetry, becomes
 * `sum(mul(matmul(X, slice(U)), slice(P)), 0)`: the thin product computes
 * `k - i` columns instead of k. Sinking stops at a value with other uses (its
 * full result is computed anyway), at an output, and at ops it cannot pass;
 * there the slice stays. One exception: an elementwise value read only
 * through slices, whose operands together hold at most half its elements
 * (a rank-one tangent `a[B, N, 1] * u[B, 1, w]` cut into its Taylor streams),
 * is computed slice by slice from slices of its small operands and never
 * whole. `foldConstants` handles slices of concats and fills.
 */
import { BINARY_OPS, UNARY_OPS } from '@sublora/tensor';
import { Builder, type Value } from '../ir/builder';
import { hasSmallOperands } from '../ir/cost';
import type { Graph, Node } from '../ir/types';
import * as ops from '../ops';
import { dce } from './dce';

/** The box `[begin, begin + size)` of a value. */
interface Box {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

/**
 * Ops that act elementwise on operands broadcast numpy-style to the output
 * shape (the backend's unary and binary kernels, autodiff's one-operand `pow`
 * among them, and the select primitives).
 */
const ELEMENTWISE = new Set<string>([...UNARY_OPS, ...BINARY_OPS, 'compare', 'where', 'cast']);

/**
 * The box of an operand of shape `shape` broadcast into output axes
 * `offset ..`: axes of length 1 stay whole (they are broadcast), others take
 * the output box's range.
 */
function broadcastBox(shape: readonly number[], box: Box, offset: number): Box {
  return {
    begin: shape.map((d, a) => (d === 1 ? 0 : box.begin[a + offset])),
    size: shape.map((d, a) => (d === 1 ? 1 : box.size[a + offset])),
  };
}

/** Non-unit axes of a shape, in order. */
const nonUnit = (shape: readonly number[]) => shape.flatMap((d, a) => (d === 1 ? [] : [a]));

/**
 * The boxes of `node`'s operands that produce the box `box` of its output,
 * or undefined where the op cannot pass a slice.
 */
function operandBoxes(node: Node, operands: readonly Node[], box: Box): Box[] | undefined {
  const out = node.shape;
  if (ELEMENTWISE.has(node.op))
    return operands.map((x) => broadcastBox(x.shape, box, out.length - x.shape.length));
  if (node.op === 'sum') {
    const x = operands[0].shape;
    const axes = node.params.axes as number[];
    const keep = node.params.keepDims as boolean;
    let o = 0;
    const begin: number[] = [],
      size: number[] = [];
    for (let a = 0; a < x.length; a++) {
      if (axes.includes(a)) {
        begin.push(0);
        size.push(x[a]);
        if (keep) o++;
      } else {
        begin.push(box.begin[o]);
        size.push(box.size[o++]);
      }
    }
    return [{ begin, size }];
  }
  if (node.op === 'reshape') {
    // only reshapes that insert or drop axes of length 1
    const x = operands[0].shape;
    const [xi, oi] = [nonUnit(x), nonUnit(out)];
    if (xi.length !== oi.length || xi.some((a, j) => x[a] !== out[oi[j]])) return undefined;
    const begin = x.map(() => 0),
      size = x.map(() => 1);
    xi.forEach((a, j) => {
      begin[a] = box.begin[oi[j]];
      size[a] = box.size[oi[j]];
    });
    return [{ begin, size }];
  }
  if (node.op === 'matmul') {
    const r = out.length;
    const side = (x: readonly number[], transposed: boolean, keep: 'rows' | 'cols'): Box => {
      const batch = broadcastBox(x.slice(0, -2), box, r - x.length);
      // the output axis this operand's free axis maps to, and where that axis sits in x
      const outAxis = keep === 'rows' ? r - 2 : r - 1;
      const free = (keep === 'rows') !== transposed ? x.length - 2 : x.length - 1;
      const begin = [...batch.begin, 0, 0],
        size = [...batch.size, x[x.length - 2], x[x.length - 1]];
      begin[free] = box.begin[outAxis];
      size[free] = box.size[outAxis];
      return { begin, size };
    };
    return [
      side(operands[0].shape, node.params.transposeA === true, 'rows'),
      side(operands[1].shape, node.params.transposeB === true, 'cols'),
    ];
  }
  return undefined;
}

const isWhole = (shape: readonly number[], box: Box) =>
  box.begin.every((d) => d === 0) && box.size.every((d, a) => d === shape[a]);

/** Sinks every slice as far as single-use values allow (see module doc); returns a DCE'd graph. */
export function sinkSlices(graph: Graph): Graph {
  const g = dce(graph);
  const uses = new Int32Array(g.nodes.length);
  const slicedOnly = g.nodes.map(() => true);
  for (const n of g.nodes)
    for (const i of n.inputs) {
      uses[i]++;
      if (n.op !== 'slice') slicedOnly[i] = false;
    }
  for (const id of g.outputs) {
    uses[id] += 2;
    slicedOnly[id] = false;
  }
  /** Whether a slice may move into node `id` (see module doc). */
  const passes = (id: number) => {
    const node = g.nodes[id];
    if (uses[id] === 1) return true;
    if (!slicedOnly[id] || !ELEMENTWISE.has(node.op)) return false;
    return hasSmallOperands(g.nodes, node);
  };
  const b = new Builder(g.inputs);
  const vals: Value[] = [];

  const sliced = (id: number, box: Box): Value => {
    const node = g.nodes[id];
    if (isWhole(node.shape, box)) return vals[id];
    const operands = node.inputs.map((i) => g.nodes[i]);
    const boxes = passes(id) ? operandBoxes(node, operands, box) : undefined;
    if (!boxes) return ops.slice(vals[id], [...box.begin], [...box.size]);
    const xs = node.inputs.map((i, k) => sliced(i, boxes[k]));
    const params = node.op === 'reshape' ? { ...node.params, shape: [...box.size] } : node.params;
    return b.emit(node.op, xs, params);
  };

  for (const node of g.nodes) {
    if (node.op === 'input') vals.push(b.args[node.params.index as number]);
    else if (node.op === 'slice')
      vals.push(
        sliced(node.inputs[0], {
          begin: node.params.begin as number[],
          size: node.params.size as number[],
        }),
      );
    else
      vals.push(
        b.emit(
          node.op,
          node.inputs.map((i) => vals[i]),
          node.params,
        ),
      );
  }
  return dce(b.finish(g.outputs.map((id) => vals[id])));
}
