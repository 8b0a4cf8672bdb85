/**
 * Elementwise unary primitives. Each nonlinear one is given by its derivative
 * `f'(x)` as a graph expression of `x` and `f(x)`; jvp is `t * f'(x)` and vjp
 * is `ct * f'(x)`. `neg` is linear: its transpose is itself.
 */
import type { UnaryOp } from '@sublora/tensor';
import type { Value } from '../ir/builder';
import * as ops from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';

function elementwise(name: UnaryOp, derivative: (x: Value, out: Value) => Value): Primitive {
  return {
    name,
    infer: SHAPE_RULES[name],
    jvp: ({ primals, tangents, out, T }) => T.mul(tangents[0], derivative(primals[0], out), out),
    vjp: ({ ct, primals, out }) => [ops.mul(ct, derivative(primals[0], out))],
    evaluate: (backend, [x]) => backend.unary(name, x),
  };
}

/** `-x` (linear). */
export const neg: Primitive = {
  name: 'neg',
  infer: SHAPE_RULES.neg,
  jvp: ({ tangents, T }) => T.neg(tangents[0]),
  transpose: ({ ct }) => [ops.neg(ct)],
  evaluate: (backend, [x]) => backend.unary('neg', x),
};

/** `e^x`; derivative `e^x`. */
export const exp = elementwise('exp', (_, out) => out);
/** `log x`; derivative `1 / x`. */
export const log = elementwise('log', (x) => ops.div(1, x));
/** `tanh x`; derivative `1 - tanh(x)^2`. */
export const tanh = elementwise('tanh', (_, out) => ops.sub(1, ops.square(out)));
/** `sin x`; derivative `cos x`. */
export const sin = elementwise('sin', (x) => ops.cos(x));
/** `cos x`; derivative `-sin x`. */
export const cos = elementwise('cos', (x) => ops.neg(ops.sin(x)));
/** `sqrt x`; derivative `1 / (2 sqrt x)`. */
export const sqrt = elementwise('sqrt', (_, out) => ops.div(0.5, out));
/** `x^2`; derivative `2 x`. */
export const square = elementwise('square', (x) => ops.mul(x, 2));
