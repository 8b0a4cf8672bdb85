/**
 * The error every kernel throws on bad shapes, dtypes or handles.
 */

/**
 * A kernel was called with inputs it cannot accept. The message is one line:
 * the operation, what is wrong, and the shapes/dtypes involved, e.g.
 * `matmul: inner dimensions differ: [3,4] x [5,2] (4 != 5)`.
 */
export class TensorError extends Error {
  /** The operation that rejected its inputs (e.g. `matmul`, `add`). */
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'TensorError';
    this.op = op;
  }
}
