import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { InputError, referenceBackend } from '@sublora/tensor';
import { determineRanks, determineRanksE, determineRanksSync, determineRanksSyncE } from './index';
import type { RankInput } from './index';

const ok: RankInput = {
  sigma: [1, 2, 3],
  grad: [0.1, -0.2, 0.3],
  hessian: [
    [1, 0.5, 0],
    [0.5, 2, 0.1],
    [0, 0.1, 1],
  ],
  budget: 2,
  method: 'sublora-g',
  layers: [1, 2],
  seed: 1,
};

/** One corruption per input, in the order validation reports them. */
const CORRUPTIONS: readonly [string, Partial<RankInput>][] = [
  ['method', { method: 'random' as RankInput['method'] }],
  ['grad', { grad: [1, 2] }],
  [
    'hessian',
    {
      hessian: [
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 1],
      ],
    },
  ],
  ['budget', { budget: 4 }],
  ['layers', { layers: [1, 1] }],
  ['seed', { seed: 0.5 }],
];

/** The input each problem names (`budget: ...` -> `budget`). */
const names = (problems: readonly InputError[]): string[] =>
  problems.map((p) => p.message.split(':')[0]);

describe('input problems, all at once', () => {
  it('reports every corrupted input, in input order, where the throwing forms give the first', async () => {
    fc.assert(
      fc.property(fc.subarray([...CORRUPTIONS], { minLength: 1 }), (chosen) => {
        const input = Object.assign({}, ok, ...chosen.map(([, patch]) => patch)) as RankInput;
        const result = determineRanksSyncE(input);
        expect(E.isLeft(result)).toBe(true);
        if (E.isRight(result)) return;
        expect(names(result.left)).toEqual(chosen.map(([name]) => name));
        expect(() => determineRanksSync(input)).toThrow(result.left[0].message);
      }),
      { numRuns: 64 },
    );
    const all = Object.assign({}, ok, ...CORRUPTIONS.map(([, patch]) => patch)) as RankInput;
    const problems = await determineRanksE(all)();
    expect(E.isLeft(problems) && names(problems.left)).toEqual(CORRUPTIONS.map(([name]) => name));
    await expect(determineRanks(all)).rejects.toThrow(/^method: 'random' is not/);
  });

  it('checks what needs r only once sigma gives it', () => {
    const result = determineRanksSyncE({
      ...ok,
      sigma: [],
      method: 'x' as RankInput['method'],
      seed: NaN,
    });
    expect(E.isLeft(result) && names(result.left)).toEqual(['method', 'sigma', 'seed']);
  });

  it('returns what the throwing forms return on good input, on the host and on a backend', async () => {
    expect(determineRanksSyncE(ok)).toEqual(E.right(determineRanksSync(ok)));
    const withBackend = { ...ok, backend: referenceBackend };
    expect(await determineRanksE(withBackend)()).toEqual(
      E.right(await determineRanks(withBackend)),
    );
    const sync = determineRanksSyncE(withBackend);
    expect(E.isLeft(sync) && sync.left[0]).toBeInstanceOf(InputError);
  });

  it('reports a tensor on the wrong backend as a Left', async () => {
    const sigma = {
      shape: [3],
      dtype: 'float64',
      backend: 'elsewhere',
    } as unknown as RankInput['sigma'];
    const result = await determineRanksE({ ...ok, sigma, backend: referenceBackend })();
    expect(E.isLeft(result) && names(result.left)).toEqual(['sigma']);
  });
});
