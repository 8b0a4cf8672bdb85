/**
 * The numbers plain JSON does not write back as themselves: -0 (written `0`)
 * and NaN, Infinity, -Infinity (written `null`). Params keys, graph
 * documents and the readable listing each need them kept apart.
 */

/** The name of a number JSON does not keep, as JSON-safe text. */
export type SpecialNumberName = '-0' | 'NaN' | 'Infinity' | '-Infinity';

/** The name of `x` if it is a number JSON does not keep, else undefined. */
export function specialNumberName(x: unknown): SpecialNumberName | undefined {
  if (typeof x !== 'number') return undefined;
  if (Object.is(x, -0)) return '-0';
  return Number.isFinite(x) ? undefined : (String(x) as SpecialNumberName);
}

/**
 * A `JSON.stringify` replacer that writes each special number as the string
 * `"\u0000" + name` (a mark no param string starts with), so that `x / -0`
 * and `x / 0`, or `x + Infinity` and `x + -Infinity`, never write alike.
 */
export function markSpecialNumbers(_: string, x: unknown): unknown {
  const name = specialNumberName(x);
  return name === undefined ? x : `\u0000${name}`;
}
