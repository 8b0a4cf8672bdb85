/** The rule table: every primitive by name. */
import { GraphError } from '../ir/types';
import { adjointOf } from './adjoint';
import { add, div, mul, sub } from './binary';
import { matmul } from './matmul';
import { pow } from './pow';
import { mean, sum } from './reduce';
import { cast, compare, where } from './select';
import { constant, fill, input } from './source';
import { broadcast, concat, gather, reshape, scatterAdd, slice, transpose } from './structural';
import type { Primitive, ReverseRule } from './types';
import { cos, exp, log, neg, sin, sqrt, square, tanh } from './unary';

const all: readonly Primitive[] = [
  input,
  constant,
  fill,
  neg,
  exp,
  log,
  tanh,
  sin,
  cos,
  sqrt,
  square,
  add,
  sub,
  mul,
  div,
  pow,
  matmul,
  transpose,
  reshape,
  broadcast,
  sum,
  mean,
  slice,
  concat,
  gather,
  scatterAdd,
  compare,
  where,
  cast,
  adjointOf,
];

/** Primitives by name. */
export const primitives: ReadonlyMap<string, Primitive> = new Map(all.map((p) => [p.name, p]));

/** The primitive called `name`, or a one-line error listing the known ones. */
export function primitive(name: string): Primitive {
  const p = primitives.get(name);
  if (!p)
    throw new GraphError(name, `unknown primitive; known: ${[...primitives.keys()].join(', ')}`);
  return p;
}

/** The reverse rule of a primitive: its vjp, or its transpose rule when linear. */
export function reverseRule(p: Primitive): ReverseRule {
  const rule = p.vjp ?? p.transpose;
  if (!rule) throw new GraphError(p.name, 'has no vjp or transpose rule');
  return rule;
}
