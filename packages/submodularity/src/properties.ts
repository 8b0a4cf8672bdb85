/**
 * Property helpers: state "every value of my arbitrary is a submodular
 * (monotone) set function" in one line, with the counterexample in the
 * failure message.
 */
import fc from 'fast-check';
import type { SetFunction } from '@sublora/set-function';
import { checkMonotone, checkSubmodular } from './generic-check';
import type { SetFunctionCheckOptions } from './generic-check';

/** Options of {@link assertSubmodularProperty} and {@link assertMonotoneProperty}. */
export interface PropertyRunOptions extends SetFunctionCheckOptions {
  /** Number of generated functions (default 100). */
  readonly numRuns?: number;
  /** fast-check seed, for reproducing a failure. */
  readonly seed?: number;
}

function describe(f: SetFunction): string {
  return `${f.name} (n = ${f.n})`;
}

/** What {@link checkSubmodular} and {@link checkMonotone} report, as the properties read it. */
interface CheckOutcome<C> {
  readonly checked: number;
  readonly violations: number;
  readonly counterexample?: C;
}

/**
 * The property "`check(toSetFunction(t))` finds no counterexample"; a failure
 * throws `<f> <explain(counterexample)> (<violations> of <checked> cases fail)`.
 */
function noCounterexampleProperty<T, C>(
  arb: fc.Arbitrary<T>,
  toSetFunction: (value: T) => SetFunction,
  check: (f: SetFunction) => CheckOutcome<C>,
  explain: (counterexample: C) => string,
): fc.IPropertyWithHooks<[T]> {
  return fc.property(arb, (value) => {
    const f = toSetFunction(value);
    const result = check(f);
    const c = result.counterexample;
    if (c !== undefined) {
      throw new Error(
        `${describe(f)} ${explain(c)} (${result.violations} of ${result.checked} cases fail)`,
      );
    }
  });
}

/**
 * A fast-check property: for every generated value `t`, `toSetFunction(t)`
 * passes {@link checkSubmodular} (exhaustive for `n <= 10` by default).
 * Run it with `fc.assert`.
 *
 * @example
 * fc.assert(submodularProperty(arbMonotoneSubmodular(), buildSetFunction), { numRuns: 50 });
 */
export function submodularProperty<T>(
  arb: fc.Arbitrary<T>,
  toSetFunction: (value: T) => SetFunction,
  options: SetFunctionCheckOptions = {},
): fc.IPropertyWithHooks<[T]> {
  return noCounterexampleProperty(
    arb,
    toSetFunction,
    (f) => checkSubmodular(f, options),
    (c) =>
      `is not submodular: A = [${c.A.join(', ')}], B = [${c.B.join(', ')}], e = ${c.e}: ` +
      `gain at A = ${c.gainA} < gain at B = ${c.gainB}`,
  );
}

/**
 * A fast-check property: for every generated value `t`, `toSetFunction(t)`
 * passes {@link checkMonotone}.
 */
export function monotoneProperty<T>(
  arb: fc.Arbitrary<T>,
  toSetFunction: (value: T) => SetFunction,
  options: SetFunctionCheckOptions = {},
): fc.IPropertyWithHooks<[T]> {
  return noCounterexampleProperty(
    arb,
    toSetFunction,
    (f) => checkMonotone(f, options),
    (c) => `is not monotone: A = [${c.A.join(', ')}], e = ${c.e}: gain = ${c.gain}`,
  );
}

function split(options: PropertyRunOptions): [fc.Parameters<[unknown]>, SetFunctionCheckOptions] {
  const { numRuns, seed, ...check } = options;
  // includeErrorInReport: the counterexample sets belong in the thrown message
  const params: fc.Parameters<[unknown]> = { numRuns: numRuns ?? 100, includeErrorInReport: true };
  return [seed === undefined ? params : { ...params, seed }, check];
}

/**
 * Runs {@link submodularProperty} with `fc.assert`; throws fast-check's report
 * (shrunk input plus counterexample) on failure.
 *
 * @example
 * assertSubmodularProperty(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
 *   (w) => createConcaveOfModular(w), { numRuns: 50 });
 */
export function assertSubmodularProperty<T>(
  arb: fc.Arbitrary<T>,
  toSetFunction: (value: T) => SetFunction,
  options: PropertyRunOptions = {},
): void {
  const [params, check] = split(options);
  fc.assert(submodularProperty(arb, toSetFunction, check), params as fc.Parameters<[T]>);
}

/** Runs {@link monotoneProperty} with `fc.assert`; throws on failure. */
export function assertMonotoneProperty<T>(
  arb: fc.Arbitrary<T>,
  toSetFunction: (value: T) => SetFunction,
  options: PropertyRunOptions = {},
): void {
  const [params, check] = split(options);
  fc.assert(monotoneProperty(arb, toSetFunction, check), params as fc.Parameters<[T]>);
}
