/**
 * Elementwise binary arithmetic with numpy broadcasting. `add`/`sub` are
 * linear (transpose: unbroadcast the cotangent); `mul`/`div` are bilinear /
 * nonlinear with vjp rules. Cotangents are summed back over broadcast axes.
 */
import type { BinaryOp } from '@sublora/tensor';
import { div as divOp, mul as mulOp, neg, square } from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';
import { unbroadcast } from './util';

function evaluateBinary(op: BinaryOp): Primitive['evaluate'] {
  return (backend, [a, b]) => backend.binary(op, a, b);
}

/** `a + b`. */
export const add: Primitive = {
  name: 'add',
  infer: SHAPE_RULES.add,
  jvp: ({ tangents: [ta, tb], out, T }) => T.add(ta, tb, out),
  transpose: ({ ct, primals: [a, b], needs }) => [
    needs[0] ? unbroadcast(ct, a.shape) : null,
    needs[1] ? unbroadcast(ct, b.shape) : null,
  ],
  evaluate: evaluateBinary('add'),
};

/** `a - b`. */
export const sub: Primitive = {
  name: 'sub',
  infer: SHAPE_RULES.sub,
  jvp: ({ tangents: [ta, tb], out, T }) => T.sub(ta, tb, out),
  transpose: ({ ct, primals: [a, b], needs }) => [
    needs[0] ? unbroadcast(ct, a.shape) : null,
    needs[1] ? unbroadcast(neg(ct), b.shape) : null,
  ],
  evaluate: evaluateBinary('sub'),
};

/** `a * b`: `d = ta b + a tb`. */
export const mul: Primitive = {
  name: 'mul',
  infer: SHAPE_RULES.mul,
  jvp: ({ primals: [a, b], tangents: [ta, tb], out, T }) =>
    T.add(T.mul(ta, b, out), T.mul(tb, a, out), out),
  vjp: ({ ct, primals: [a, b], needs }) => [
    needs[0] ? unbroadcast(mulOp(ct, b), a.shape) : null,
    needs[1] ? unbroadcast(mulOp(ct, a), b.shape) : null,
  ],
  evaluate: evaluateBinary('mul'),
};

/** `a / b`: `d = ta / b - tb a / b^2 = (ta - tb * out) / b`. */
export const div: Primitive = {
  name: 'div',
  infer: SHAPE_RULES.div,
  jvp: ({ primals: [, b], tangents: [ta, tb], out, T }) =>
    T.div(T.sub(ta, T.mul(tb, out, out), out), b, out),
  vjp: ({ ct, primals: [a, b], needs }) => [
    needs[0] ? unbroadcast(divOp(ct, b), a.shape) : null,
    needs[1] ? unbroadcast(neg(divOp(mulOp(ct, a), square(b))), b.shape) : null,
  ],
  evaluate: evaluateBinary('div'),
};
