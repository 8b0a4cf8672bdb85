import fc from 'fast-check';
import { createConcaveOfModular } from './concave-of-modular';
import { createCoverage } from './coverage';
import { createFacilityLocation } from './facility-location';
import { createModular } from './modular';
import type { SetFunction } from './set-function';

const nonneg = fc.double({ min: 0, max: 3, noNaN: true });
const size = fc.integer({ min: 1, max: 7 });
const vec = <T = number>(n: number, x: fc.Arbitrary<T> = nonneg as never): fc.Arbitrary<T[]> =>
  fc.array(x, { minLength: n, maxLength: n });
/** A random order of the whole ground set: the commit sequence. */
const perm = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );

/** Independent definitions, written from the formulas, not from the implementation. */
type Case = { f: SetFunction; truth: (set: number[]) => number; order: number[] };

const modularCase: fc.Arbitrary<Case> = size.chain((n) =>
  fc.tuple(vec(n, fc.double({ min: -3, max: 3, noNaN: true })), perm(n)).map(([w, order]) => ({
    f: createModular(w),
    truth: (set) => set.reduce((acc, i) => acc + w[i], 0),
    order,
  })),
);

const coverageCase: fc.Arbitrary<Case> = fc
  .tuple(size, fc.integer({ min: 1, max: 6 }))
  .chain(([n, items]) =>
    fc
      .tuple(
        vec(n, fc.array(fc.integer({ min: 0, max: items - 1 }), { maxLength: 5 })),
        vec(items),
        perm(n),
      )
      .map(([sets, w, order]) => ({
        f: createCoverage(sets, w),
        truth: (set: number[]) => {
          const covered = new Set<number>(set.flatMap((i) => sets[i]));
          return [...covered].reduce((acc, u) => acc + w[u], 0);
        },
        order,
      })),
  );

const facilityCase: fc.Arbitrary<Case> = size.chain((n) =>
  fc.tuple(fc.array(vec(n), { minLength: n, maxLength: n }), perm(n)).map(([sim, order]) => ({
    f: createFacilityLocation(sim),
    truth: (set: number[]) =>
      sim.reduce(
        (acc, row) => acc + (set.length === 0 ? 0 : Math.max(...set.map((s) => row[s]))),
        0,
      ),
    order,
  })),
);

const concaveCase: fc.Arbitrary<Case> = size.chain((n) =>
  fc
    .tuple(
      vec(n),
      perm(n),
      fc.constantFrom<[string, (x: number) => number]>(['sqrt', Math.sqrt], ['log1p', Math.log1p]),
    )
    .map(([w, order, [, phi]]) => ({
      f: createConcaveOfModular(w, phi),
      truth: (set: number[]) => phi(set.reduce((acc, i) => acc + w[i], 0)),
      order,
    })),
);

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * (1 + Math.abs(a) + Math.abs(b));

describe.each([
  ['modular', modularCase],
  ['coverage', coverageCase],
  ['facility location', facilityCase],
  ['concave of modular', concaveCase],
])('%s', (_name, cases) => {
  it('evaluate matches the definition', () => {
    fc.assert(
      fc.property(cases, ({ f, truth, order }) => {
        for (let k = 0; k <= order.length; k++) {
          const set = order.slice(0, k);
          expect(close(f.evaluate(set), truth(set))).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('incremental gains and value() equal direct evaluation along random commit sequences', () => {
    fc.assert(
      fc.property(cases, ({ f, order }) => {
        const o = f.oracle();
        const gains = new Float64Array(f.n);
        const kept: number[] = [];
        expect(close(o.value(), f.evaluate([]))).toBe(true);
        for (const e of order) {
          o.gains(gains);
          const base = f.evaluate(kept);
          for (let i = 0; i < f.n; i++) {
            if (kept.includes(i)) expect(gains[i]).toBe(-Infinity);
            else {
              expect(close(gains[i], f.evaluate([...kept, i]) - base)).toBe(true);
              expect(o.gain(i)).toBe(gains[i]);
            }
          }
          o.commit(e);
          kept.push(e);
          expect(o.selected).toEqual(kept);
          expect(close(o.value(), f.evaluate(kept))).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('fork deep-copies: committing on one side leaves the other unchanged', () => {
    fc.assert(
      fc.property(cases, ({ f, order }) => {
        fc.pre(order.length >= 2);
        const parent = f.oracle();
        parent.commit(order[0]);
        const child = parent.fork();
        const before = new Float64Array(f.n);
        parent.gains(before);
        child.commit(order[1]);
        const after = new Float64Array(f.n);
        parent.gains(after);
        expect(Array.from(after)).toEqual(Array.from(before));
        expect(parent.selected).toEqual([order[0]]);
        expect(child.selected).toEqual([order[0], order[1]]);
        expect(close(child.value(), f.evaluate([order[0], order[1]]))).toBe(true);
        parent.commit(order[1]);
        expect(close(parent.value(), child.value())).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('commit rejects duplicates and out-of-range elements', () => {
    fc.assert(
      fc.property(cases, ({ f, order }) => {
        const o = f.oracle();
        o.commit(order[0]);
        expect(() => o.commit(order[0])).toThrow(/already in the set/);
        expect(() => o.commit(f.n)).toThrow(/not an integer in \[0, /);
        expect(() => o.commit(-1)).toThrow(/not an integer/);
        expect(o.selected).toEqual([order[0]]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('input validation', () => {
  it('names the bad input', () => {
    expect(() => createCoverage([[0, -1]])).toThrow(/^sets: entry 0 lists item -1/);
    expect(() => createCoverage([[0, 3]], [1, 1])).toThrow(
      /^weights: has 2 entries but sets mention item 3/,
    );
    expect(() => createCoverage([[0]], [-1])).toThrow(/^weights: entry 0 is -1/);
    expect(() =>
      createFacilityLocation([
        [1, -0.5],
        [0, 1],
      ]),
    ).toThrow(/^similarity: entry \(0, 1\)/);
    expect(() => createFacilityLocation([[1, 0]])).toThrow(/^similarity:/);
    expect(() => createConcaveOfModular([1, -2])).toThrow(/^weights: entry 1 is -2/);
    expect(() => createModular([1, Infinity])).toThrow(/^weights: entry 1/);
  });

  it('coverage defaults to unit weights and deduplicates items', () => {
    const f = createCoverage([[0, 0, 1], [1, 2], [3]]);
    expect(f.sets[0]).toEqual([0, 1]);
    expect(f.evaluate([0, 1])).toBe(3);
    expect(f.evaluate([0, 1, 2])).toBe(4);
  });
});
