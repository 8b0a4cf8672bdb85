/**
 * Constant folding and algebraic simplification. Folds any elementwise or
 * shape primitive whose operands are all `fill` constants into a `fill`, and
 * removes identities (`x + 0`, `x * 1`, `x / 1`, `x ** 1`, `--x`, reshape
 * chains, slices of concats, sums of zero-padded concats) and annihilators
 * (`x * 0 -> 0`, `0 / x -> 0`: symbolic-zero propagation, like JAX's
 * symbolic zeros: +0 whatever x is, so `NaN * 0`, `Infinity * 0` and `0 / 0`
 * fold to 0 and `-2 * 0` to +0). The identities may also change the sign of
 * a zero: `x + 0 -> x` keeps x = -0 where IEEE gives +0, and `0 - x -> -x`
 * gives -0 for x = +0. Such values compare equal; a later `1 / result`, in
 * the graph or after it, tells them apart.
 */
import { shapesEqual, sizeOf, type DType } from '@sublora/tensor';
import type { Builder, Value } from '../ir/builder';
import type { Graph, Node } from '../ir/types';
import * as ops from '../ops';
import { rebuild } from './rebuild';

const unaryFns: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
  sqrt: Math.sqrt,
  square: (x) => x * x,
};

const binaryFns: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

const compareFns: Record<string, (a: number, b: number) => boolean> = {
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
  equal: (a, b) => a === b,
};

/** Shape ops whose result is a fill with the operand's value when the operand is a fill. */
const valuePreserving = new Set([
  'broadcast',
  'reshape',
  'transpose',
  'slice',
  'gather',
  'mean',
  'cast',
]);

function round(value: number, dtype: DType): number {
  return dtype === 'float32' ? Math.fround(value) : value;
}

/** The folded scalar value of `node` when all operands are fills, else undefined. */
function foldValue(node: Node, vals: readonly number[]): number | undefined {
  const p = node.params;
  if (node.op in unaryFns) return unaryFns[node.op](vals[0]);
  if (node.op in binaryFns) return binaryFns[node.op](vals[0], vals[1]);
  if (node.op === 'pow') return Math.pow(vals[0], p.exponent as number);
  if (node.op === 'compare') return compareFns[p.op as string](vals[0], vals[1]) ? 1 : 0;
  if (node.op === 'where') return vals[0] !== 0 ? vals[1] : vals[2];
  if (valuePreserving.has(node.op)) return vals[0];
  if (node.op === 'concat' && vals.every((v) => v === vals[0])) return vals[0];
  return undefined;
}

function fillValue(b: Builder, v: Value): number | undefined {
  const n = b.node(v);
  return n.op === 'fill' ? (n.params.value as number) : undefined;
}

/** Algebraic identities; `x` is returned only when its shape already equals the result's. */
function identity(
  node: Node,
  xs: readonly Value[],
  fills: readonly (number | undefined)[],
  b: Builder,
): Value | undefined {
  const same = (v: Value) => shapesEqual(v.shape, node.shape);
  const zeros = () => ops.full(xs[0], 0, node.shape, node.dtype);
  switch (node.op) {
    case 'add':
      if (fills[1] === 0 && same(xs[0])) return xs[0];
      if (fills[0] === 0 && same(xs[1])) return xs[1];
      return sumOfConcats(b, 'add', xs[0], xs[1]);
    case 'sub':
      if (fills[1] === 0 && same(xs[0])) return xs[0];
      if (fills[0] === 0 && same(xs[1])) return ops.neg(xs[1]);
      return sumOfConcats(b, 'sub', xs[0], xs[1]);
    case 'mul':
      if (fills[0] === 0 || fills[1] === 0) return zeros();
      if (fills[1] === 1 && same(xs[0])) return xs[0];
      if (fills[0] === 1 && same(xs[1])) return xs[1];
      if (fills[1] === -1 && same(xs[0])) return ops.neg(xs[0]);
      if (fills[0] === -1 && same(xs[1])) return ops.neg(xs[1]);
      return undefined;
    case 'div':
      if (fills[0] === 0) return zeros();
      if (fills[1] === 1 && same(xs[0])) return xs[0];
      return undefined;
    case 'pow':
      if (node.params.exponent === 1) return xs[0];
      if (node.params.exponent === 0) return ops.full(xs[0], 1, node.shape);
      if (node.params.exponent === 2) return ops.square(xs[0]);
      return undefined;
    case 'neg': {
      const inner = b.node(xs[0]);
      return inner.op === 'neg' ? b.valueAt(inner.inputs[0]) : undefined;
    }
    case 'matmul':
      if (fills[0] === 0 || fills[1] === 0) return zeros();
      return undefined;
    case 'reshape': {
      const inner = b.node(xs[0]);
      if (inner.op === 'reshape') return ops.reshape(b.valueAt(inner.inputs[0]), node.shape);
      return undefined;
    }
    case 'slice':
      return sliceThrough(node, xs[0], b);
    default:
      return undefined;
  }
}

/**
 * The parts of concat `v` cut at `cuts` (sorted offsets along `axis`, ending
 * at the axis length), or undefined when a cut falls inside a part that is
 * not a fill (a fill splits into smaller fills for free; other parts would
 * need slices, i.e. copies).
 */
function partsAt(b: Builder, v: Value, axis: number, cuts: readonly number[]): Value[] | undefined {
  const out: Value[] = [];
  let start = 0;
  let c = 0;
  for (const id of b.node(v).inputs) {
    const part = b.valueAt(id);
    const end = start + part.shape[axis];
    const inside: number[] = [];
    while (cuts[c] < end) inside.push(cuts[c++]);
    c++; // cuts[c] === end
    if (inside.length === 0) out.push(part);
    else {
      const value = fillValue(b, part);
      if (value === undefined) return undefined;
      let from = start;
      for (const to of [...inside, end]) {
        const shape = part.shape.map((d, i) => (i === axis ? to - from : d));
        out.push(ops.full(part, value, shape, part.dtype));
        from = to;
      }
    }
    start = end;
  }
  return out;
}

/**
 * `concat(p..) ± concat(q..)` along one axis, where at least one piece is
 * paired with a zero fill, as one concat of piecewise sums: reverse mode
 * assembles the cotangent of a concat of Taylor streams as a sum of
 * zero-padded pieces, `concat(g1, 0, 0) + concat(0, g2, 0) + ...`, which this
 * turns into `concat(g1, g2, ...)` (no padded copies, no full-size adds).
 * Pieces are cut at the union of both concats' boundaries; a cut inside a
 * piece that is not a fill leaves the sum alone.
 */
function sumOfConcats(b: Builder, op: 'add' | 'sub', x: Value, y: Value): Value | undefined {
  const nx = b.node(x),
    ny = b.node(y);
  if (nx.op !== 'concat' || ny.op !== 'concat' || nx.params.axis !== ny.params.axis)
    return undefined;
  if (!shapesEqual(x.shape, y.shape)) return undefined;
  const axis = nx.params.axis as number;
  // an empty piece has no segment to pair with
  if ([nx, ny].some((n) => n.inputs.some((id) => b.valueAt(id).shape[axis] === 0)))
    return undefined;
  const ends = (n: Node) => {
    let at = 0;
    return n.inputs.map((id) => (at += b.valueAt(id).shape[axis]));
  };
  const cuts = [...new Set([...ends(nx), ...ends(ny)])].sort((p, q) => p - q);
  const px = partsAt(b, x, axis, cuts);
  const py = partsAt(b, y, axis, cuts);
  if (!px || !py) return undefined;
  if (!px.some((p, i) => fillValue(b, p) === 0 || fillValue(b, py[i]) === 0)) return undefined;
  const pieces = px.map((p, i) => {
    const q = py[i];
    if (fillValue(b, q) === 0) return p;
    if (fillValue(b, p) === 0) return op === 'add' ? q : ops.neg(q);
    return op === 'add' ? ops.add(p, q) : ops.sub(p, q);
  });
  return ops.concat(pieces, axis);
}

/** True when `v` is a concat or fill, or a sum/difference with such a term within `depth` levels. */
function assembles(b: Builder, v: Value, depth: number): boolean {
  const n = b.node(v);
  if (n.op === 'concat' || n.op === 'fill') return true;
  if (depth === 0 || (n.op !== 'add' && n.op !== 'sub')) return false;
  return n.inputs.some((id) => {
    const u = b.valueAt(id);
    return shapesEqual(u.shape, v.shape) && assembles(b, u, depth - 1);
  });
}

/**
 * Moves a slice toward the values it selects from, so that work outside the
 * slice becomes dead: a slice of a `concat` takes only the overlapping parts,
 * a slice of `a + b` / `a - b` (same-shape operands, one of them a concat or
 * fill, possibly inside further sums) is the sum of the slices. E.g. the rows `[k, 2k)` of a gradient
 * `concat(g1, 0) + concat(0, g2)` fold to `g2`, and DCE then drops what only
 * `g1` needed.
 */
function sliceThrough(node: Node, x: Value, b: Builder): Value | undefined {
  return pushSlice(b, x, node.params.begin as number[], node.params.size as number[]);
}

/** The box `[begin, begin + size)` of `x`: `x` itself, a folded form (see above), or a new slice. */
function sliceOf(b: Builder, x: Value, begin: number[], size: number[]): Value {
  if (begin.every((d) => d === 0) && shapesEqual(x.shape, size)) return x;
  return pushSlice(b, x, begin, size) ?? ops.slice(x, begin, size);
}

function pushSlice(b: Builder, x: Value, begin: number[], size: number[]): Value | undefined {
  const inner = b.node(x);
  const operands = inner.inputs.map((id) => b.valueAt(id));
  if (inner.op === 'concat') {
    const axis = inner.params.axis as number;
    const lo = begin[axis],
      hi = begin[axis] + size[axis];
    const parts: Value[] = [];
    let start = 0;
    for (const part of operands) {
      const end = start + part.shape[axis];
      const from = Math.max(lo, start),
        to = Math.min(hi, end);
      if (to > from) {
        const bg = begin.map((d, i) => (i === axis ? from - start : d));
        const sz = size.map((d, i) => (i === axis ? to - from : d));
        parts.push(sliceOf(b, part, bg, sz));
      }
      start = end;
    }
    return parts.length === 1 ? parts[0] : ops.concat(parts, axis);
  }
  if (inner.op === 'fill') return ops.full(x, inner.params.value as number, size, x.dtype);
  if (
    (inner.op === 'add' || inner.op === 'sub') &&
    operands.every((v) => shapesEqual(v.shape, x.shape)) &&
    operands.some((v) => assembles(b, v, 8))
  ) {
    const [l, r] = operands.map((v) => sliceOf(b, v, begin, size));
    if (fillValue(b, r) === 0) return l;
    if (fillValue(b, l) === 0 && inner.op === 'add') return r;
    return inner.op === 'add' ? ops.add(l, r) : ops.sub(l, r);
  }
  return undefined;
}

/** Folds constants and removes algebraic identities (see module doc). */
export function foldConstants(g: Graph): Graph {
  return rebuild(g, (node, xs, b) => {
    if (node.op === 'constant' || node.op === 'fill') {
      const data = node.params.data as number[] | undefined;
      if (
        node.op === 'constant' &&
        data &&
        data.length > 0 &&
        data.every((v) => Object.is(v, data[0]))
      ) {
        // Object.is: a constant of zeros with one -0 is not a fill of 0
        return b.emit('fill', [], { value: data[0], shape: node.shape, dtype: node.dtype });
      }
      return undefined;
    }
    const fills = xs.map((v) => fillValue(b, v));
    if (xs.length > 0 && fills.every((v) => v !== undefined)) {
      let value = foldValue(node, fills as number[]);
      if (node.op === 'sum')
        value = (fills[0] as number) * (sizeOf(xs[0].shape) / Math.max(1, sizeOf(node.shape)));
      if (value !== undefined && Number.isFinite(value)) {
        return b.emit('fill', [], {
          value: round(value, node.dtype),
          shape: node.shape,
          dtype: node.dtype,
        });
      }
    }
    return identity(node, xs, fills, b);
  });
}
