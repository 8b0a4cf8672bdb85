/**
 * Batched matrix product `op(a) op(b)` with `op` an optional transpose of the
 * last two axes (`{ transposeA, transposeB }`); batch dims broadcast. Bilinear:
 * jvp `ta b + a tb`; each operand's cotangent is a product with the other.
 */
import { matmul as matmulOp } from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';
import { unbroadcast } from './util';

/** Matrix product (see module doc). */
export const matmul: Primitive = {
  name: 'matmul',
  infer: SHAPE_RULES.matmul,
  jvp: ({ primals: [a, b], tangents: [ta, tb], params, out, T }) =>
    T.add(T.matmulLeft(ta, b, params, out), T.matmulRight(a, tb, params, out), out),
  vjp({ ct, primals: [a, b], params, needs }) {
    const tA = params.transposeA as boolean,
      tB = params.transposeB as boolean;
    const ctA = !needs[0]
      ? null
      : tA
        ? matmulOp(b, ct, { transposeA: tB, transposeB: true })
        : matmulOp(ct, b, { transposeB: !tB });
    const ctB = !needs[1]
      ? null
      : tB
        ? matmulOp(ct, a, { transposeA: true, transposeB: tA })
        : matmulOp(a, ct, { transposeA: !tA });
    return [ctA && unbroadcast(ctA, a.shape), ctB && unbroadcast(ctB, b.shape)];
  },
  evaluate: (backend, [a, b], params) =>
    backend.matmul(a, b, {
      transposeA: params.transposeA as boolean,
      transposeB: params.transposeB as boolean,
    }),
};
