/**
 * The tangent algebra of forward mode: how the linear operations of jvp
 * rules act on tangents, written once for
 *
 * - symbolic zeros (`null`): no node is built, zeros propagate;
 * - an optional leading tangent-batch axis of length `B` (a vmap of jvp over
 *   `B` directions: the tangent of a primal of shape `s` has shape `[B, ...s]`);
 * - {@link DiagTangent}: the batched tangent of a basis seed, kept as a
 *   coefficient of the primal's shape while it flows through elementwise and
 *   shape-preserving ops, and contracted in O(B * size) by `matmul`.
 *
 * The last point is what keeps the Hessian of a LoRA-SVD layer cheap: the
 * tangent of `(x U) * sigma` in direction `e_i` is column i of `x U` only, and
 * its product with `V` is the rank-one `(x U)[:, i] V[i, :]`; a dense batched
 * tangent would cost O(B^2 N out) instead of O(B N out).
 */
import type { Shape } from '@sublora/tensor';
import { shapesEqual } from '@sublora/tensor';
import type { Value } from '../ir/builder';
import type { Aval, Params } from '../ir/types';
import * as ops from '../ops';
import type { Tangent, TangentAlgebra } from '../primitives/types';
import { DiagTangent } from './diag-tangent';

const last = (s: Shape): number => (s.length === 0 ? -1 : s[s.length - 1]);

/** A {@link TangentAlgebra}, unbatched (`batch` undefined) or with a leading batch axis. */
export class Tangents implements TangentAlgebra {
  /** @param batch - the tangent-batch size B, or undefined for plain (unbatched) tangents */
  constructor(readonly batch?: number) {}

  private get prefix(): number[] {
    return this.batch === undefined ? [] : [this.batch];
  }

  /** The primal shape a non-zero tangent belongs to. */
  primalShape(t: Value | DiagTangent): Shape {
    if (t instanceof DiagTangent) return t.coeff.shape;
    return this.batch === undefined ? t.shape : t.shape.slice(1);
  }

  /** The tangent as a dense value (`[B, ...s]` when batched), or null for a symbolic zero. */
  dense(t: Tangent): Value | null {
    if (!(t instanceof DiagTangent)) return t;
    const c = t.coeff,
      s = c.shape,
      n = last(s),
      B = this.batch as number;
    const eye = new Array<number>(B * n).fill(0);
    for (let b = 0; b < B; b++) {
      const j = b - t.offset;
      if (j >= 0 && j < n) eye[b * n + j] = 1;
    }
    const e = c.builder.emit('constant', [], { data: eye, shape: [B, n], dtype: c.dtype });
    return ops.mul(ops.reshape(e, [B, ...s.slice(0, -1).map(() => 1), n]), c);
  }

  /** The dense tangent, with zeros materialized for a primal of shape `aval`. */
  denseOrZeros(t: Tangent, aval: Aval, ref: Value): Value {
    return this.dense(t) ?? ops.full(ref, 0, [...this.prefix, ...aval.shape], aval.dtype);
  }

  /** Dense tangent `v` reshaped so its primal part has `rank` axes (ones inserted after the batch axis). */
  private lift(v: Value, rank: number): Value {
    if (this.batch === undefined) return v;
    const s = v.shape.slice(1);
    if (s.length >= rank) return v;
    return ops.reshape(v, [this.batch, ...new Array<number>(rank - s.length).fill(1), ...s]);
  }

  /** `t` broadcast to the primal shape `out`. */
  private fit(t: Value | DiagTangent, out: Aval): Value | DiagTangent {
    const s = this.primalShape(t);
    if (shapesEqual(s, out.shape)) return t;
    if (t instanceof DiagTangent && s.length > 0 && last(s) === last(out.shape)) {
      return new DiagTangent(ops.broadcastTo(t.coeff, out.shape), t.offset);
    }
    const v = this.dense(t) as Value;
    return ops.broadcastTo(this.lift(v, out.shape.length), [...this.prefix, ...out.shape]);
  }

  add(a: Tangent, b: Tangent, out: Aval): Tangent {
    if (!a) return b && this.fit(b, out);
    if (!b) return this.fit(a, out);
    if (
      a instanceof DiagTangent &&
      b instanceof DiagTangent &&
      a.offset === b.offset &&
      last(a.coeff.shape) === last(out.shape) &&
      last(b.coeff.shape) === last(out.shape)
    ) {
      return new DiagTangent(ops.add(a.coeff, b.coeff), a.offset);
    }
    const r = out.shape.length;
    return ops.add(this.lift(this.dense(a) as Value, r), this.lift(this.dense(b) as Value, r));
  }

  sub(a: Tangent, b: Tangent, out: Aval): Tangent {
    if (!a || !b || (a instanceof DiagTangent && b instanceof DiagTangent))
      return this.add(a, this.neg(b), out);
    const r = out.shape.length;
    return ops.sub(this.lift(this.dense(a) as Value, r), this.lift(this.dense(b) as Value, r));
  }

  neg(t: Tangent): Tangent {
    if (!t) return null;
    if (t instanceof DiagTangent) return new DiagTangent(ops.neg(t.coeff), t.offset);
    return this.rescale(t, (small) => ops.neg(small)) ?? ops.neg(t);
  }

  /**
   * For a dense tangent built as `u * v` with `v` smaller than the result
   * (typically a primal factor without the batch axis), applies the scalar
   * map `f` to `v` instead of to the full tangent: `-(u v) = u (-v)`,
   * `(u v) c = u (v c)`. Saves one full-size (batched) elementwise op.
   */
  private rescale(t: Value, f: (small: Value) => Value): Value | null {
    const node = t.builder.node(t);
    if (node.op !== 'mul') return null;
    const [u, v] = node.inputs.map((id) => t.builder.valueAt(id));
    const size = (x: Value) => x.shape.reduce((a, b) => a * b, 1);
    const [big, small] = size(u) >= size(v) ? [u, v] : [v, u];
    if (size(small) >= size(t) || !shapesEqual(big.shape, t.shape)) return null;
    return ops.mul(big, f(small));
  }

  private scale(op: 'mul' | 'div', t: Tangent, p: Value, out: Aval): Tangent {
    if (!t) return null;
    const f = op === 'mul' ? ops.mul : ops.div;
    if (t instanceof DiagTangent) {
      const n = last(t.coeff.shape);
      const pl = p.shape.length === 0 ? 1 : last(p.shape);
      if (n === last(out.shape) && (pl === 1 || pl === n))
        return new DiagTangent(f(t.coeff, p), t.offset);
    }
    const dense = this.dense(t) as Value;
    if (p.shape.length === 0) {
      const moved = this.rescale(dense, (small) => f(small, p));
      if (moved) return moved;
    }
    return f(this.lift(dense, out.shape.length), p);
  }

  mul(t: Tangent, p: Value, out: Aval): Tangent {
    return this.scale('mul', t, p, out);
  }

  div(t: Tangent, p: Value, out: Aval): Tangent {
    return this.scale('div', t, p, out);
  }

  matmulLeft(t: Tangent, b: Value, params: Params, out: Aval): Tangent {
    if (!t) return null;
    if (t instanceof DiagTangent && !params.transposeA && b.shape.length === 2)
      return this.diagTimes(t, b, !!params.transposeB);
    const opts = { transposeA: !!params.transposeA, transposeB: !!params.transposeB };
    return ops.matmul(this.lift(this.dense(t) as Value, out.shape.length), b, opts);
  }

  matmulRight(a: Value, t: Tangent, params: Params, out: Aval): Tangent {
    if (!t) return null;
    const opts = { transposeA: !!params.transposeA, transposeB: !!params.transposeB };
    if (t instanceof DiagTangent && !params.transposeB)
      return new DiagTangent(ops.matmul(a, t.coeff, opts), t.offset);
    return ops.matmul(a, this.lift(this.dense(t) as Value, out.shape.length), opts);
  }

  /**
   * `matmul(D, b)` for a diagonal tangent contracted along its basis axis:
   * batch row `b` is `coeff[..., :, j] outer bb[j, :]` with `j = b - offset`,
   * built as one broadcast product of `J` rows and padded with zero rows.
   */
  private diagTimes(t: DiagTangent, b: Value, transposeB: boolean): Tangent {
    const B = this.batch as number,
      c = t.coeff,
      r = c.shape.length,
      k = last(c.shape);
    const bb = transposeB ? ops.transpose(b, [1, 0]) : b;
    const n = bb.shape[1];
    const j0 = Math.max(0, -t.offset),
      j1 = Math.min(k, B - t.offset);
    if (j1 <= j0) return null;
    const J = j1 - j0;
    const cs = ops.slice(
      c,
      c.shape.map((_, i) => (i === r - 1 ? j0 : 0)),
      c.shape.map((d, i) => (i === r - 1 ? J : d)),
    );
    const bs = ops.slice(bb, [j0, 0], [J, n]);
    const cT = ops.transpose(cs, [r - 1, ...Array.from({ length: r - 1 }, (_, i) => i)]);
    const lead = c.shape.slice(0, -1);
    const left = ops.reshape(cT, [J, ...lead, 1]);
    const right = ops.reshape(bs, [J, ...lead.map(() => 1), n]);
    const prod = ops.mul(left, right);
    const before = j0 + t.offset,
      after = B - (j1 + t.offset);
    const rows = (m: number) => ops.full(prod, 0, [m, ...prod.shape.slice(1)]);
    const parts = [
      ...(before > 0 ? [rows(before)] : []),
      prod,
      ...(after > 0 ? [rows(after)] : []),
    ];
    return ops.concat(parts, 0);
  }

  apply(op: string, t: Tangent, params: Params, input: Aval, out: Aval): Tangent {
    if (!t) return null;
    if (t instanceof DiagTangent) {
      const d = this.applyDiag(op, t, params, input, out);
      if (d) return d;
    }
    const v = this.dense(t) as Value;
    if (this.batch === undefined) return v.builder.emit(op, [v], params);
    const B = this.batch;
    switch (op) {
      case 'transpose':
        return ops.transpose(v, [0, ...(params.perm as number[]).map((p) => p + 1)]);
      case 'reshape':
        return ops.reshape(v, [B, ...(params.shape as number[])]);
      case 'broadcast':
        return ops.broadcastTo(this.lift(v, out.shape.length), [B, ...out.shape]);
      case 'sum':
      case 'mean':
        return v.builder.emit(op, [v], {
          axes: (params.axes as number[]).map((a) => a + 1),
          keepDims: params.keepDims,
        });
      case 'slice':
        return ops.slice(v, [0, ...(params.begin as number[])], [B, ...(params.size as number[])]);
      case 'gather':
      case 'scatterAdd':
        return v.builder.emit(op, [v], { ...params, axis: (params.axis as number) + 1 });
      default:
        return v.builder.emit(op, [v], params);
    }
  }

  /** The structured result of a shape op on a diagonal tangent, when it keeps the basis axis last. */
  private applyDiag(
    op: string,
    t: DiagTangent,
    params: Params,
    input: Aval,
    out: Aval,
  ): DiagTangent | null {
    const c = t.coeff,
      r = input.shape.length,
      n = last(input.shape);
    const keep = (v: Value, offset = t.offset) => new DiagTangent(v, offset);
    switch (op) {
      case 'cast':
        return keep(c.builder.emit(op, [c], params));
      case 'reshape':
      case 'broadcast':
        return last(out.shape) === n ? keep(c.builder.emit(op, [c], params)) : null;
      case 'sum':
      case 'mean':
      case 'gather':
      case 'scatterAdd': {
        const axes =
          op === 'sum' || op === 'mean' ? (params.axes as number[]) : [params.axis as number];
        return axes.includes(r - 1) ? null : keep(c.builder.emit(op, [c], params));
      }
      case 'transpose':
        return (params.perm as number[])[r - 1] === r - 1
          ? keep(c.builder.emit(op, [c], params))
          : null;
      case 'slice':
        return keep(c.builder.emit(op, [c], params), t.offset + (params.begin as number[])[r - 1]);
      default:
        return null;
    }
  }

  concat(ts: readonly Tangent[], inputs: readonly Aval[], params: Params, _out: Aval): Tangent {
    const ref = ts.find((t) => t !== null);
    if (!ref) return null;
    const refValue = ref instanceof DiagTangent ? ref.coeff : ref;
    const parts = ts.map((t, k) => this.denseOrZeros(t, inputs[k], refValue));
    return ops.concat(parts, (params.axis as number) + this.prefix.length);
  }

  where(cond: Value, a: Tangent, b: Tangent, out: Aval): Tangent {
    if (!a && !b) return null;
    const r = out.shape.length;
    const side = (t: Tangent): Value | number => (t ? this.lift(this.dense(t) as Value, r) : 0);
    return this.fit(ops.where(cond, side(a), side(b)), out);
  }
}
