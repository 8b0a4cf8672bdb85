/**
 * The graph IR: a staged function as a topologically ordered list of
 * primitive applications. See `IR.md` for the contract with lowerings.
 */
import type { DType, Shape } from '@sublora/tensor';

/** A JSON-serializable primitive parameter. */
export type ParamValue = number | boolean | string | readonly number[];

/** Primitive parameters: a JSON-serializable record. */
export type Params = Readonly<Record<string, ParamValue>>;

/** Shape and dtype of a value: what shape rules compute. */
export interface Aval {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A positional graph input: its name (for errors and JSON), shape and dtype. */
export interface InputSpec extends Aval {
  readonly name: string;
}

/** One primitive application; `id` is its index in {@link Graph.nodes}. */
export interface Node extends Aval {
  readonly id: number;
  /** Primitive name, a key of the rule table (`add`, `matmul`, ...). */
  readonly op: string;
  /** Ids of earlier nodes, one per operand. */
  readonly inputs: readonly number[];
  readonly params: Params;
}

/**
 * A staged function. Immutable; transformations and passes return new graphs.
 * The first `inputs.length` nodes are the `input` nodes, in order.
 */
export interface Graph {
  readonly inputs: readonly InputSpec[];
  /** Topologically ordered; `nodes[i].id === i`. */
  readonly nodes: readonly Node[];
  /** Node ids of the positional results. */
  readonly outputs: readonly number[];
}

/** A malformed graph or a bad argument to a transformation; one-line message. */
export class GraphError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'GraphError';
  }
}

/**
 * How many times each node of `g` is read: once per operand slot that names
 * it, plus once per appearance in `g.outputs`. Passes use it to tell a value
 * with one reader (safe to rewrite in place of its reader) from a shared one.
 */
export function useCounts(g: Graph): number[] {
  const uses = new Array<number>(g.nodes.length).fill(0);
  for (const n of g.nodes) for (const i of n.inputs) uses[i]++;
  for (const id of g.outputs) uses[id]++;
  return uses;
}
