/**
 * Subset validation and the membership bookkeeping every oracle shares.
 */
import { InputError } from '@sublora/tensor';

/**
 * Validates `set` as distinct integer indices in `[0, n)` and returns its
 * membership mask (`mask[i] === 1` iff `i` is in the set).
 * @param name - the input's name, used in error messages
 */
export function subsetMask(set: readonly number[], n: number, name = 'set'): Uint8Array {
  if (!Array.isArray(set)) {
    throw new InputError(name, 'expected an array of element indices; pass e.g. [0, 3]');
  }
  const mask = new Uint8Array(n);
  for (const e of set) {
    if (!Number.isInteger(e) || e < 0 || e >= n) {
      throw new InputError(
        name,
        `element ${String(e)} is not an integer in [0, ${n}); indices refer to the ground set {0, ..., ${n - 1}}`,
      );
    }
    if (mask[e] === 1) {
      throw new InputError(name, `element ${e} appears twice; a set lists each element once`);
    }
    mask[e] = 1;
  }
  return mask;
}

/**
 * The growing set `S` of an incremental oracle: commit order plus a mask for
 * O(1) membership tests. Commits are validated so a solver bug (a duplicate or
 * out-of-range pick) fails loudly instead of corrupting the oracle state.
 */
export class Membership {
  readonly selected: number[];
  readonly mask: Uint8Array;

  constructor(
    readonly n: number,
    selected: number[] = [],
    mask: Uint8Array = new Uint8Array(n),
  ) {
    this.selected = selected;
    this.mask = mask;
  }

  /** Throws unless `e` is an index in `[0, n)` that is not yet selected. */
  assertAddable(e: number, operation: string): void {
    if (!Number.isInteger(e) || e < 0 || e >= this.n) {
      throw new InputError(
        'element',
        `${operation}(${String(e)}): not an integer in [0, ${this.n})`,
      );
    }
    if (this.mask[e] === 1) {
      throw new InputError(
        'element',
        `${operation}(${e}): element ${e} is already in the set; each element can be committed once`,
      );
    }
  }

  add(e: number): void {
    this.assertAddable(e, 'commit');
    this.mask[e] = 1;
    this.selected.push(e);
  }

  clone(): Membership {
    return new Membership(this.n, this.selected.slice(), this.mask.slice());
  }
}

/** Throws unless the `gains(out)` buffer is a Float64Array with one slot per ground-set element. */
export function assertGainsBuffer(out: Float64Array, n: number): void {
  if (!(out instanceof Float64Array) || out.length !== n) {
    throw new InputError(
      'out',
      `gains(out) needs a Float64Array of length ${n} (one slot per ground-set element)`,
    );
  }
}
