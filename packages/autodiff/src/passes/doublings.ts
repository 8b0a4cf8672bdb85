/**
 * Folding of doublings into small factors. Tangents of squares and of
 * symmetric products (`d(x x) = dx x + x dx`) come out of forward over
 * reverse as `X + X`: a full-size pass whose only effect is a factor 2,
 * usually multiplied next by a small primal factor. The rewrites
 *
 *     (T * p) + (T * p)  ->  T * (p + p)
 *     (T + T) * q        ->  T * (q + q)
 *     S + S              ->  T * (p + p) + U * (q + q)    for S = T * p + U * q
 *                                                         (or -), S used only there
 *
 * (`p`, `q` small, i.e. broadcast in the product; `T`, `U` full size) each
 * save one full-size pass for one small op. Scaling by 2 is exact in binary
 * floating point, so every rewritten value is bit for bit the original
 * while the values involved stay in the normal range: a product that
 * rounds into the subnormals (`2 round(T p)` against `round(2 T p)`), or a
 * `2 T` or `2 p` that overflows where the other order does not, can differ.
 *
 * It runs on a finished graph (`hessian` applies it last), not in
 * `simplify`'s loop: it can add small nodes, which that loop's
 * stopping rule (the graph stopped shrinking) would read as no progress, and
 * `factorProducts` applied after it reassociates some folded products
 * (`T (p + p) + T q -> T ((p + p) + q)`), which changes rounding; a caller
 * that simplifies a graph holding the Hessian gets that (round-off level).
 */
import { shapesEqual, sizeOf } from '@sublora/tensor';
import type { Builder, Value } from '../ir/builder';
import { useCounts, type Graph, type Node } from '../ir/types';
import * as ops from '../ops';
import { dce } from './dce';
import { asScaled } from './factor';
import { rebuild } from './rebuild';

/** `big * (small + small)`: `2 * big * small` with the doubling on the small side. */
const timesDoubled = (big: Value, small: Value): Value => ops.mul(big, ops.add(small, small));

/** The value of `node` (`x + x`) with the 2 folded into small factors, or undefined. */
function foldSum(
  node: Node,
  x: Value,
  b: Builder,
  g: Graph,
  uses: readonly number[],
): Value | undefined {
  const scaled = asScaled(b, x);
  if (scaled) return timesDoubled(scaled.big, scaled.small);
  const before = g.nodes[node.inputs[0]];
  const sum = b.node(x);
  if (
    (sum.op !== 'add' && sum.op !== 'sub') ||
    uses[before.id] !== 2 ||
    !before.inputs.every((id) => uses[id] === 1)
  )
    return undefined;
  const [t, u] = sum.inputs.map((id) => asScaled(b, b.valueAt(id)));
  if (!t || !u) return undefined;
  const combine = sum.op === 'add' ? ops.add : ops.sub;
  return combine(timesDoubled(t.big, t.small), timesDoubled(u.big, u.small));
}

/** The value of `node` (a product) with a doubled full-size operand's 2 moved onto the small one. */
function foldProduct(node: Node, [x, y]: readonly Value[], b: Builder): Value | undefined {
  for (const [big, small] of [
    [x, y],
    [y, x],
  ]) {
    if (!shapesEqual(big.shape, node.shape) || shapesEqual(small.shape, node.shape)) continue;
    const n = b.node(big);
    if (n.op === 'add' && n.inputs[0] === n.inputs[1])
      return timesDoubled(b.valueAt(n.inputs[0]), small);
  }
  return undefined;
}

/** Elements written by the nodes of `g` (inputs excluded): the passes the rewrites save. */
function elementsWritten(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) if (n.op !== 'input') total += sizeOf(n.shape);
  return total;
}

/** Applies the rewrites of the module comment once, then drops what they left unused. */
function foldOnce(g: Graph): Graph {
  const uses = useCounts(g);
  return dce(
    rebuild(g, (node, xs, b) => {
      let folded: Value | undefined;
      if (node.op === 'add' && node.inputs[0] === node.inputs[1])
        folded = foldSum(node, xs[0], b, g, uses);
      else if (node.op === 'mul') folded = foldProduct(node, xs, b);
      return folded && shapesEqual(folded.shape, node.shape) ? folded : undefined;
    }),
  );
}

/**
 * The rewrites of the module comment, repeated while they reduce the
 * elements written (a fold can expose another: a sum of products that was
 * used twice is used once after its doubling folded).
 */
export function foldDoublings(g: Graph): Graph {
  let cur = dce(g);
  for (;;) {
    const next = foldOnce(cur);
    if (elementsWritten(next) >= elementsWritten(cur)) return cur;
    cur = next;
  }
}
