import { InputError } from '@sublora/tensor';
import * as E from 'fp-ts/Either';
import {
  CONFIG_KEYS,
  PRESETS,
  budgetCount,
  configError,
  resolveConfigE,
  parseOverride,
  resolveConfig,
  totalRank,
} from './config';

describe('resolveConfig', () => {
  it('resolves every preset unchanged', () => {
    for (const name of Object.keys(PRESETS)) expect(resolveConfig(name)).toEqual(PRESETS[name]);
  });

  it('gives the medium preset the sizes of issue 18', () => {
    const c = resolveConfig('medium');
    expect(c.network).toMatchObject({ width: 256, depth: 3, rank: 32 });
    expect(c.points).toMatchObject({ interior: 1024, boundary: 256 });
    expect(c.targetLambdas).toEqual([
      [1, 1],
      [1, 5],
      [2, 1],
    ]);
    expect(c.seeds).toEqual([0, 1, 2]);
    expect(c.determination.methods).not.toContain('exact');
  });

  it('matches the paper sizes in the paper preset', () => {
    const c = resolveConfig('paper');
    expect(c.network).toMatchObject({ width: 1000, depth: 3, rank: 50 });
    expect(totalRank(c)).toBe(100);
    expect(c.determination.budgets).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(c.alternating).toMatchObject({ rounds: 5, epochs: 100, budget: 40 });
    expect(c.pretrainLambda).toEqual([1, 0]);
  });

  it('applies nested and dotted overrides', () => {
    const c = resolveConfig('smoke', {
      network: { width: 9 },
      'points.interior': 5,
      pde: 'hyperbolic',
    });
    expect(c.network.width).toBe(9);
    expect(c.network.rank).toBe(PRESETS.smoke.network.rank);
    expect(c.points.interior).toBe(5);
    expect(c.pde).toBe('hyperbolic');
  });

  it.each([
    [{ 'network.width': -3 }, /^config\.network\.width: must be an integer/],
    [{ 'network.width': 2.5 }, /^config\.network\.width/],
    [
      { pde: 'heat' },
      /^config\.pde: must be one of elliptic, allen-cahn, hyperbolic \(got "heat"\)/,
    ],
    [{ muB: Number.NaN }, /^config\.muB: must be a finite number >= 0/],
    [
      { 'optimizer.finetune.lr': 0 },
      /^config\.optimizer\.finetune\.lr: must be a finite number > 0/,
    ],
    [
      { 'optimizer.pretrainLr': 1e-3 },
      /^config\.optimizer\.pretrainLr: is not a configuration key; did you mean 'optimizer\.pretrain\.lr'\?/,
    ],
    [
      { 'points.boundarySampling': 'grid' },
      /^config\.points\.boundarySampling: must be one of random, equispaced/,
    ],
    [
      { 'determination.methods': ['sublora-g', 'newton'] },
      /^config\.determination\.methods\[1\]: must be one of/,
    ],
    [
      { 'determination.budgets': [2, 99] },
      /^config\.determination\.budgets\[1\]: must be an integer in \[0, r = 6\]/,
    ],
    [
      { 'determination.budgetUnit': 'fraction', 'determination.budgets': [0.5, 2] },
      /^config\.determination\.budgets\[1\]: 2 is a fraction/,
    ],
    [{ 'alternating.budget': 7 }, /^config\.alternating\.budget/],
    [{ widht: 3 }, /^config\.widht: is not a configuration key; known keys: name/],
    [{ network: { widht: 3 } }, /did you mean 'network\.width'/],
    [{ targetLambdas: [[1, 1], [2]] }, /^config\.targetLambdas\[1\]: must be a pair/],
    [{ name: '../escape' }, /^config\.name: must be a name/],
    [
      { backend: 'cuda' },
      /^config\.backend: unknown backend 'cuda'; use one of reference, tfjs, onnxruntime/,
    ],
    [{ seeds: [] }, /^config\.seeds: must be a list with at least 1 entry/],
  ])('rejects %j with a one-line message naming the key', (overrides, message) => {
    let error: unknown;
    try {
      resolveConfig('smoke', overrides);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names the first problem and counts the others, in one line', () => {
    expect(() =>
      resolveConfig('smoke', { 'network.width': 0, muB: -1, seeds: [], 'network.depht': 3 }),
    ).toThrow(
      /^config\.network\.depht: is not a configuration key; did you mean 'network\.depth'\? \(and 3 more\)$/,
    );
    expect(() => resolveConfig('smoke', { 'network.width': 0, muB: -1 })).toThrow(
      /^config\.network\.width: must be an integer in \[1, 100000\] \(got 0\) \(and 1 more\)$/,
    );
  });

  it('shows non-finite numbers as they are, not as null', () => {
    expect(() => resolveConfig('smoke', { muB: Number.POSITIVE_INFINITY })).toThrow(
      'config.muB: must be a finite number >= 0 (got Infinity)',
    );
  });

  it('accepts backend names with an engine variant and auto', () => {
    expect(resolveConfig('smoke', { backend: 'tfjs:wasm' }).backend).toBe('tfjs:wasm');
    expect(resolveConfig('smoke').backend).toBe('auto');
  });

  it('refuses the exact method on a large r', () => {
    expect(() => resolveConfig('paper', { 'determination.methods': ['exact'] })).toThrow(
      /'exact' is branch and bound/,
    );
  });

  it('rejects an unknown preset', () => {
    expect(() => resolveConfig('tiny')).toThrow(
      /^preset: unknown preset "tiny"; use one of smoke, small, medium, paper/,
    );
  });
});

describe('budgets and overrides', () => {
  it('converts fractional budgets to counts of singular values', () => {
    const c = resolveConfig('small');
    expect(totalRank(c)).toBe(16);
    expect(c.determination.budgets.map((b) => budgetCount(c, b))).toEqual([3, 6, 10, 13, 16]);
    expect(budgetCount(resolveConfig('paper'), 40)).toBe(40);
  });

  it('parses key=value overrides as JSON when possible', () => {
    expect(parseOverride('network.width=16')).toEqual(['network.width', 16]);
    expect(parseOverride('seeds=[0,1]')).toEqual(['seeds', [0, 1]]);
    expect(parseOverride('pde=allen-cahn')).toEqual(['pde', 'allen-cahn']);
    expect(() => parseOverride('width')).toThrow(/^--set: expected key=value/);
  });

  it('lists every leaf key', () => {
    expect(CONFIG_KEYS).toContain('alternating.budget');
    expect(CONFIG_KEYS).toContain('network.orthogonality');
  });
});

describe('resolveConfigE (the Either form)', () => {
  it('reports every schema problem at once, misspelt keys first', () => {
    const res = resolveConfigE('smoke', { 'network.width': -1, muB: 'x', 'netwrk.rank': 2 });
    expect(E.isLeft(res)).toBe(true);
    const problems = E.isLeft(res) ? res.left : [];
    expect(problems.map((p) => p.key)).toEqual(['netwrk', 'network.width', 'muB']);
  });

  it('accumulates independent cross-key problems: every bad budget and the exact limit', () => {
    const res = resolveConfigE('smoke', {
      'determination.budgets': [2, 99, 100],
      'alternating.budget': 50,
      'network.rank': 40,
    });
    // r = 40 x 2 = 80: two budgets over r, and 'exact' over its rank limit
    const keys = E.isLeft(res) ? res.left.map((p) => p.key) : [];
    expect(keys).toEqual([
      'determination.budgets[1]',
      'determination.budgets[2]',
      'determination.methods',
    ]);
    const many = resolveConfigE('smoke', {
      'determination.budgets': [2, 99, 100],
      'alternating.budget': 50,
    });
    expect(E.isLeft(many) ? many.left.map((p) => p.key) : []).toEqual([
      'determination.budgets[1]',
      'determination.budgets[2]',
      'alternating.budget',
    ]);
  });

  it('returns the configuration on the right, equal to what resolveConfig returns', () => {
    expect(resolveConfigE('small', { 'network.width': 8 })).toEqual(
      E.right(resolveConfig('small', { 'network.width': 8 })),
    );
    const bad = resolveConfigE('smoke', { 'network.width': -1, muB: 'x' });
    expect(E.isLeft(bad) && configError(bad.left).message).toMatch(
      /^config\.network\.width: .*\(and 1 more\)$/,
    );
  });
});
