/** The structured batched tangent of a basis seed (see `tangents.ts`), on its own so the primitive types can name it without importing the tangent algebra. */
import type { Value } from '../ir/builder';

/**
 * A structured batched tangent: `T[b, ..., j] = coeff[..., j]` where
 * `b == j + offset`, else 0 (for `0 <= b < B`). `coeff` has the primal shape.
 */
export class DiagTangent {
  constructor(
    readonly coeff: Value,
    readonly offset: number,
  ) {}
}
