/**
 * Batched matrix product `op(a) op(b)` with `op` an optional transpose of the
 * last two axes (`{ transposeA, transposeB }`); batch dims broadcast. Bilinear:
 * jvp `ta b + a tb`; each operand's cotangent is a product with the other.
 */
import { broadcastShapes, shapeToString, TensorError } from '@sublora/tensor';
import { matmul as matmulOp } from '../ops';
import type { Primitive } from './types';
import { arity, sameDType, unbroadcast } from './util';

/** Matrix product (see module doc). */
export const matmul: Primitive = {
  name: 'matmul',
  infer(xs, params) {
    arity('matmul', xs, 2);
    const dtype = sameDType('matmul', xs);
    const [a, b] = xs;
    if (a.shape.length < 2 || b.shape.length < 2) {
      throw new TensorError(
        'matmul',
        `operands need rank >= 2, got ${shapeToString(a.shape)} x ${shapeToString(b.shape)}; reshape vectors to [1, n] or [n, 1]`,
      );
    }
    const ra = a.shape.length,
      rb = b.shape.length;
    const [m, ka] = params.transposeA
      ? [a.shape[ra - 1], a.shape[ra - 2]]
      : [a.shape[ra - 2], a.shape[ra - 1]];
    const [kb, n] = params.transposeB
      ? [b.shape[rb - 1], b.shape[rb - 2]]
      : [b.shape[rb - 2], b.shape[rb - 1]];
    if (ka !== kb) {
      throw new TensorError(
        'matmul',
        `inner dimensions differ: ${shapeToString(a.shape)}${params.transposeA ? 'ᵀ' : ''} x ${shapeToString(b.shape)}${params.transposeB ? 'ᵀ' : ''} (k = ${ka} vs ${kb})`,
      );
    }
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
    return { shape: [...batch, m, n], dtype };
  },
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
