/**
 * The shape of the op table: what every op declares once for every backend
 * and for autodiff (modelled on tfjs-core's kernel registry, where an op's
 * semantics are registered once and each backend only supplies the kernel).
 */
import type { DType, Shape } from '../backend';

/** What the table knows about an operand: its shape and dtype (a handle or a traced value). */
export interface OperandType {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** The inferred result of an op: its shape and dtype. */
export interface ResultType {
  readonly shape: number[];
  readonly dtype: DType;
}

/**
 * One op's semantics: its name, its operand rules in words (for docs and
 * listings) and `infer`, which checks operands and parameters and returns the
 * result type plus whatever it resolved (a `-1` in a reshape, a default
 * permutation, normalized axes), or throws a one-line `TensorError`.
 */
export interface OpSpec<P, R extends ResultType = ResultType> {
  readonly name: string;
  /** The operand and parameter rules, one sentence. */
  readonly operands: string;
  infer(operands: readonly OperandType[], params: P): R;
}
