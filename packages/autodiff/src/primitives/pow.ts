/** `x ** p` with a constant exponent `p` (`{ exponent }`). */
import type { Value } from '../ir/builder';
import { mul, pow as powOp } from '../ops';
import { SHAPE_RULES } from './shape-rules';
import type { Primitive } from './types';

/** `p x^(p-1)`. */
function derivative(x: Value, p: number): Value {
  return mul(powOp(x, p - 1), p);
}

/** Power with a constant exponent; derivative `p x^(p-1)`. */
export const pow: Primitive = {
  name: 'pow',
  infer: SHAPE_RULES.pow,
  jvp: ({ primals: [x], tangents: [t], out, params, T }) =>
    T.mul(t, derivative(x, params.exponent as number), out),
  vjp: ({ ct, primals: [x], params }) => [mul(ct, derivative(x, params.exponent as number))],
  evaluate(backend, [x], params) {
    const p = backend.fill([], params.exponent as number, x.dtype);
    const y = backend.binary('pow', x, p);
    backend.dispose(p);
    return y;
  },
};
