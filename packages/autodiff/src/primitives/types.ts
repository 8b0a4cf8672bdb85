/**
 * What a primitive is: a shape rule, a jvp rule, a reverse rule (vjp, or
 * transpose for linear primitives) and an evaluation on a Backend.
 */
import type { Backend, Tensor } from '@sublora/tensor';
import type { Value } from '../ir/builder';
import type { Aval, Params } from '../ir/types';
import type { DiagTangent } from '../transforms/diag-tangent';

/**
 * A tangent during forward mode: `null` is the symbolic zero (no node is
 * built), a {@link Value} is a dense tangent (with a leading batch axis when
 * tangents are batched), a {@link DiagTangent} is a structured batched tangent
 * (a basis direction times a coefficient) that rules never inspect.
 */
export type Tangent = Value | DiagTangent | null;

/**
 * The linear operations jvp rules may apply to tangents. An implementation
 * handles symbolic zeros, the optional leading tangent-batch axis and
 * structured tangents, so each rule is written once for all of them.
 * `out` is the primal shape/dtype of the result.
 */
export interface TangentAlgebra {
  add(a: Tangent, b: Tangent, out: Aval): Tangent;
  sub(a: Tangent, b: Tangent, out: Aval): Tangent;
  neg(t: Tangent): Tangent;
  /** `t * p` (p a primal value), broadcasting to `out`. */
  mul(t: Tangent, p: Value, out: Aval): Tangent;
  /** `t / p` (p a primal value), broadcasting to `out`. */
  div(t: Tangent, p: Value, out: Aval): Tangent;
  /** `matmul(t, b)` with the tangent as left operand. */
  matmulLeft(t: Tangent, b: Value, params: Params, out: Aval): Tangent;
  /** `matmul(a, t)` with the tangent as right operand. */
  matmulRight(a: Value, t: Tangent, params: Params, out: Aval): Tangent;
  /** A unary linear structural primitive (transpose, reshape, broadcast, sum, mean, slice, gather, scatterAdd, cast) applied to `t`. */
  apply(op: string, t: Tangent, params: Params, input: Aval, out: Aval): Tangent;
  concat(ts: readonly Tangent[], inputs: readonly Aval[], params: Params, out: Aval): Tangent;
  where(cond: Value, a: Tangent, b: Tangent, out: Aval): Tangent;
}

/** Arguments of a jvp rule. */
export interface JvpArgs {
  readonly primals: readonly Value[];
  /** One per primal; at least one is non-zero when the rule is called. */
  readonly tangents: readonly Tangent[];
  /** The primal result. */
  readonly out: Value;
  readonly params: Params;
  readonly T: TangentAlgebra;
}

/** Arguments of a vjp/transpose rule. */
export interface VjpArgs {
  /** Cotangent of the result (same shape as `out`). */
  readonly ct: Value;
  readonly primals: readonly Value[];
  readonly out: Value;
  readonly params: Params;
  /** Which operands need a cotangent; return `null` (symbolic zero) for the others. */
  readonly needs: readonly boolean[];
}

/** Maps the result cotangent to one cotangent (or symbolic zero) per operand. */
export type ReverseRule = (args: VjpArgs) => readonly (Value | null)[];

/** One primitive's rules. Exactly one of `vjp`, `transpose` is given. */
export interface Primitive {
  readonly name: string;
  /** Shape rule: throws a one-line error naming the op and shapes on bad operands. */
  infer(operands: readonly Aval[], params: Params): Aval;
  /** Forward-mode rule. */
  jvp(args: JvpArgs): Tangent;
  /** Reverse rule of a nonlinear primitive (may use primal values). */
  readonly vjp?: ReverseRule;
  /** Transpose rule of a primitive linear in the operands it differentiates (uses only shapes and the non-linear operands). */
  readonly transpose?: ReverseRule;
  /** Runs the primitive on a backend. */
  evaluate(backend: Backend, operands: readonly Tensor[], params: Params, out: Aval): Tensor;
}
