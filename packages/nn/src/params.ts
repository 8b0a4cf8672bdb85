/**
 * Host-side parameters: named float64 tensors that training updates in place
 * and checkpoints save. Graphs take them as positional inputs in a fixed order.
 */
import { type InputSpec, type Value, spec } from '@sublora/autodiff';
import type { DType } from '@sublora/tensor';

/** A float64 host tensor, row-major. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Named parameters; insertion order is the graph input order. */
export type ParamValues = Record<string, HostTensor>;

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Graph input specs for the named parameters, in order.
 * @param dtype - the graph's compute dtype (host values stay float64)
 */
export function paramSpecs(
  params: ParamValues,
  names: readonly string[] = Object.keys(params),
  dtype: DType = 'float64',
): InputSpec[] {
  return names.map((name) => {
    const p = params[name];
    if (p === undefined)
      throw new Error(
        `params: no parameter named '${name}'; have ${Object.keys(params).join(', ')}`,
      );
    return spec(name, p.shape, dtype);
  });
}

/** Pairs traced values with parameter names (the inverse of {@link paramSpecs}). */
export function bindValues(
  names: readonly string[],
  values: readonly Value[],
): Record<string, Value> {
  if (values.length < names.length)
    throw new Error(`bindValues: ${names.length} names but ${values.length} values`);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/** A deep copy, so later in-place updates do not alias. */
export function cloneParams(params: ParamValues): ParamValues {
  return Object.fromEntries(
    Object.entries(params).map(([k, t]) => [
      k,
      { shape: [...t.shape], data: Float64Array.from(t.data) },
    ]),
  );
}
