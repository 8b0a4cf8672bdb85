/**
 * Factoring of broadcast products: rewrites that move elementwise work off
 * large operands onto small ones. A "small" operand is one that is broadcast
 * in the product (its shape differs from the result's), typically a primal factor
 * such as `tanh'(z)` multiplying a batched `[B, N, w]` tangent. Forward over
 * reverse builds long chains of such products; each rewrite below saves one
 * full-size elementwise op per match (at the price of at most one small op):
 *
 *     (T * p) * q    ->  T * (p * q)
 *     (-T) * q       ->  T * (-q)          -(T * p)  ->  T * (-p)
 *     T * p + U * p  ->  (T + U) * p       T * p - U * p  ->  (T - U) * p
 *     T * p + T * q  ->  T * (p + q)       T * p - T * q  ->  T * (p - q)
 *     A + (-B)       ->  A - B             (-A) + B       ->  B - A
 *     A - (-B)       ->  A + B
 *
 * (`p`, `q` small, `T`, `U` full size). They are exact in real arithmetic;
 * in floating point they change rounding only.
 */
import { shapesEqual } from '@sublora/tensor';
import type { Builder, Value } from '../ir/builder';
import type { Graph, Node } from '../ir/types';
import * as ops from '../ops';
import { rebuild } from './rebuild';

/**
 * A product `big * small` where `big` has the product's shape and `small` is
 * broadcast to it. "Broadcast" is decided by shape, not by element count: a
 * one-direction tangent `[1, N, w]` times a primal `[N, w]` has equal counts,
 * yet the primal factor is shared by every direction chunk, so moving work
 * onto it still pays.
 */
export interface Scaled {
  readonly big: Value;
  readonly small: Value;
}

/** `v` as `big * small` when it is such a product (`small` broadcast to `v`'s shape). */
export function asScaled(b: Builder, v: Value): Scaled | undefined {
  const n = b.node(v);
  if (n.op !== 'mul') return undefined;
  const [x, y] = n.inputs.map((id) => b.valueAt(id));
  if (shapesEqual(x.shape, v.shape) && !shapesEqual(y.shape, v.shape)) return { big: x, small: y };
  if (shapesEqual(y.shape, v.shape) && !shapesEqual(x.shape, v.shape)) return { big: y, small: x };
  return undefined;
}

function negated(b: Builder, v: Value): Value | undefined {
  const n = b.node(v);
  return n.op === 'neg' ? b.valueAt(n.inputs[0]) : undefined;
}

/** `v` if it has exactly the result's shape (so rewriting keeps shapes), else undefined. */
function fitting(v: Value, node: Node): Value | undefined {
  return shapesEqual(v.shape, node.shape) ? v : undefined;
}

function rewriteMul(node: Node, [x, y]: readonly Value[], b: Builder): Value | undefined {
  for (const [big, q] of [
    [x, y],
    [y, x],
  ]) {
    if (!shapesEqual(big.shape, node.shape) || shapesEqual(q.shape, node.shape)) continue;
    const inner = asScaled(b, big);
    if (inner) return fitting(ops.mul(inner.big, ops.mul(inner.small, q)), node);
    const t = negated(b, big);
    if (t) return fitting(ops.mul(t, ops.neg(q)), node);
  }
  return undefined;
}

function rewriteSum(node: Node, [x, y]: readonly Value[], b: Builder): Value | undefined {
  const combine = node.op === 'add' ? ops.add : ops.sub;
  if (shapesEqual(x.shape, node.shape) && shapesEqual(y.shape, node.shape)) {
    const sx = asScaled(b, x),
      sy = asScaled(b, y);
    if (sx && sy && sx.small.id === sy.small.id)
      return fitting(ops.mul(combine(sx.big, sy.big), sx.small), node);
    if (sx && sy && sx.big.id === sy.big.id)
      return fitting(ops.mul(sx.big, combine(sx.small, sy.small)), node);
  }
  const ny = negated(b, y);
  if (ny) return fitting(node.op === 'add' ? ops.sub(x, ny) : ops.add(x, ny), node);
  const nx = negated(b, x);
  if (nx && node.op === 'add') return fitting(ops.sub(y, nx), node);
  return undefined;
}

/** Applies the rewrites of the module comment once, in topological order. */
export function factorProducts(g: Graph): Graph {
  return rebuild(g, (node, xs, b) => {
    switch (node.op) {
      case 'mul':
        return rewriteMul(node, xs, b);
      case 'neg': {
        const s = asScaled(b, xs[0]);
        return s ? ops.mul(s.big, ops.neg(s.small)) : undefined;
      }
      case 'add':
      case 'sub':
        return rewriteSum(node, xs, b);
      default:
        return undefined;
    }
  });
}
