import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeNpy, serializeSafetensors } from '@sublora/formats';
import { determineRanks, METHODS } from '@sublora/rank-determination';
import { expectOneLineError, sublora, tempDir, TOY } from '../cli.test-utils';

/** The toy example written in every input format; returns the flags for each. */
function toyInputs(dir: string): Record<string, string[]> {
  const w = (name: string, bytes: Uint8Array | string): string => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return name;
  };
  const npy = (shape: number[], data: number[]) => serializeNpy({ dtype: 'float64', shape, data });
  w(
    'toy.safetensors',
    serializeSafetensors({
      sigma: { dtype: 'F64', shape: [2], data: TOY.sigma },
      grad: { dtype: 'F64', shape: [2], data: TOY.grad },
      hessian: { dtype: 'F64', shape: [2, 2], data: TOY.hessian.flat() },
    }),
  );
  return {
    inline: [
      '--sigma',
      JSON.stringify(TOY.sigma),
      '--grad',
      JSON.stringify(TOY.grad),
      '--hessian',
      JSON.stringify(TOY.hessian),
    ],
    json: [
      '--sigma',
      w('sigma.json', JSON.stringify(TOY.sigma)),
      '--grad',
      w('grad.json', JSON.stringify({ data: TOY.grad })),
      '--hessian',
      w('hessian.json', JSON.stringify({ data: TOY.hessian.flat(), size: 2 })),
    ],
    npy: [
      '--sigma',
      w('sigma.npy', npy([2], TOY.sigma)),
      '--grad',
      w('grad.npy', npy([2], TOY.grad)),
      '--hessian',
      w('hessian.npy', npy([2, 2], TOY.hessian.flat())),
    ],
    safetensors: [
      '--sigma',
      'toy.safetensors:sigma',
      '--grad',
      'toy.safetensors:grad',
      '--hessian',
      'toy.safetensors:hessian',
    ],
  };
}

describe('sublora select on the paper toy example', () => {
  const dir = tempDir();
  const inputs = toyInputs(dir);
  /** `select` on the inline toy inputs with budget 1 and layers [1, 1], as `determineRanks` gets them below. */
  const selectToy = (method: string, ...flags: string[]) =>
    sublora([
      'select',
      ...inputs.inline,
      '--budget',
      '1',
      '--method',
      method,
      '--layers',
      '1,1',
      ...flags,
    ]);
  // Sec. 3: the second-order methods keep s2 (true loss 1.21), the linear one keeps s1 (true loss 4).
  const expectedKept: Record<string, number[]> = {
    'sublora-g': [1],
    diag: [1],
    'hess-g': [1],
    exact: [1],
    linear: [0],
  };

  it.each(Object.keys(inputs))('keeps the paper choice with %s inputs', async (format) => {
    for (const [method, kept] of Object.entries(expectedKept)) {
      const run = await sublora(
        ['select', ...inputs[format], '--budget', '1', '--method', method, '--json'],
        dir,
      );
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout).kept).toEqual(kept);
    }
  });

  it('--json prints exactly the determineRanks result, for every method', async () => {
    for (const method of METHODS) {
      const run = await selectToy(method, '--seed', '3', '--json');
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const direct = await determineRanks({
        ...TOY,
        budget: 1,
        method,
        layers: [1, 1],
        seed: 3,
      });
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(direct)));
    }
  });

  it('accepts the budget as a percentage of r', async () => {
    const run = await sublora(
      ['select', ...inputs.npy, '--budget', '50%', '--method', 'linear', '--json'],
      dir,
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ budget: 1, kept: [0] });
  });

  it('prints a readable table without --json', async () => {
    const run = await selectToy('sublora-g');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const direct = await determineRanks({ ...TOY, budget: 1, method: 'sublora-g', layers: [1, 1] });
    expect(run.stdout).toMatch(/^method +sublora-g$/m);
    expect(run.stdout).toMatch(/^budget +1 of 2$/m);
    expect(run.stdout).toMatch(/^kept +\[1\]$/m);
    expect(run.stdout).toMatch(/^pruned +\[0\]$/m);
    expect(run.stdout).toMatch(/^per-layer ranks +\[0, 1\]$/m);
    // keeping s2 prunes P = {s1}: f = g_1 s_1 - 1/2 H_11 s_1^2 = -0.2 - 1 = -1.2; the predicted loss change is -f
    expect(direct.objective).toBeCloseTo(-1.2, 12);
    expect(run.stdout).toMatch(/^objective f\(kept\), raw Hessian +-1\.2$/m);
    expect(run.stdout).toMatch(/^predicted loss change +1\.2$/m);
    expect(run.stdout).toMatch(/^diagnostics\n {2}rawSubmodular +false$/m);
    expect(run.stdout).toMatch(/^ {2}violationCount +1$/m);
    expect(direct.certificate).toBeDefined();
    expect(run.stdout).toMatch(/^certificate\n {2}upperBound/m);
  });

  it('labels the raw objective rows and the gains with the Hessian each uses', async () => {
    const projected = await selectToy('sublora-g');
    expect(projected.stdout).toMatch(/^f\(kept\) - f\(empty\), raw Hessian +-0\.21$/m);
    expect(projected.stdout).toMatch(/^ {2}gains \(projected Hessian\) +\[3\.99\]$/m);
    expect(projected.stdout).not.toMatch(/^ {2}gains +\[/m);
    const raw = await selectToy('hess-g');
    expect(raw.stdout).toMatch(/^ {2}gains \(raw Hessian\) +\[/m);
  });

  it('exact at r = 64, b = 32 prints its best set and how far from optimal it may be (was exit 3)', async () => {
    const r = 64;
    const identity = Array.from({ length: r }, (_, i) =>
      Array.from({ length: r }, (_, j) => (i === j ? 1 : 0)),
    );
    const args = [
      '--sigma',
      JSON.stringify(new Array(r).fill(1)),
      '--grad',
      JSON.stringify(new Array(r).fill(0)),
    ];
    const run = await sublora([
      'select',
      ...args,
      '--hessian',
      JSON.stringify(identity),
      '--budget',
      '32',
      '--method',
      'exact',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      /^optimality +best of 200000 sets \(node limit reached\); at most \S+ below the optimum$/m,
    );
    const small = await selectToy('exact');
    expect(small.stdout).toMatch(/^optimality +proven optimal \(searched \d+ sets\)$/m);
  });
});

describe('sublora select bad input', () => {
  const dir = tempDir();
  const inputs = toyInputs(dir);
  const select = (...args: string[]) => sublora(['select', ...args], dir);
  const rest = ['--budget', '1', '--method', 'sublora-g'];
  fs.writeFileSync(
    path.join(dir, 'nan.npy'),
    serializeNpy({ dtype: 'float64', shape: [2], data: [1, Infinity] }),
  );
  const npy = fs.readFileSync(path.join(dir, 'sigma.npy'));
  fs.writeFileSync(path.join(dir, 'short.npy'), npy.subarray(0, npy.length - 3));
  fs.writeFileSync(
    path.join(dir, 'garbled.npy'),
    Buffer.concat([Buffer.from('NUMPY!'), npy.subarray(6)]),
  );
  const [, sigma, , grad, , hessian] = inputs.inline;

  const cases: [string, string[], RegExp][] = [
    [
      'non-finite sigma',
      ['--sigma', 'nan.npy', '--grad', grad, '--hessian', hessian, ...rest],
      /^sublora: --sigma nan\.npy: entry 1 is Infinity; every value must be a finite number$/,
    ],
    [
      'invalid inline JSON',
      ['--sigma', '[1, NaN]', '--grad', grad, '--hessian', hessian, ...rest],
      /^sublora: --sigma: is not valid JSON/,
    ],
    [
      'non-symmetric Hessian',
      ['--sigma', sigma, '--grad', grad, '--hessian', '[[2, -2], [2, 2]]', ...rest],
      /^sublora: --hessian: is not symmetric: entry \(0, 1\) = -2 but \(1, 0\) = 2; pass \(H \+ H\^T\) \/ 2/,
    ],
    [
      'non-symmetric Hessian with small entries (was accepted: tolerance absolute below 1)',
      [
        '--sigma',
        sigma,
        '--grad',
        '[-0.2e-9, 0.2e-9]',
        '--hessian',
        '[[2e-9, -2e-9], [2e-9, 2e-9]]',
        '--budget',
        '1',
        '--method',
        'exact',
      ],
      /^sublora: --hessian: is not symmetric: entry \(0, 1\) = -2e-9 but \(1, 0\) = 2e-9; pass \(H \+ H\^T\) \/ 2/,
    ],
    [
      'mis-sized Hessian',
      ['--sigma', sigma, '--grad', grad, '--hessian', '[[1, 0, 0], [0, 1, 0], [0, 0, 1]]', ...rest],
      /^sublora: --hessian: is 3x3 but 2x2 is required to match sigma$/,
    ],
    [
      'mis-sized grad',
      ['--sigma', sigma, '--grad', '[1]', '--hessian', hessian, ...rest],
      /^sublora: --grad: has length 1 but 2 is required/,
    ],
    [
      'negative budget',
      [...inputs.inline, '--budget', '-1', '--method', 'linear'],
      /^sublora: --budget: -1 is outside 0\.\.2/,
    ],
    [
      'budget above r',
      [...inputs.inline, '--budget', '3', '--method', 'linear'],
      /^sublora: --budget: 3 is outside 0\.\.2 \(r = 2 singular values\)/,
    ],
    [
      'fractional budget',
      [...inputs.inline, '--budget', '0.5', '--method', 'linear'],
      /^sublora: --budget: '0\.5' is not an integer; pass a count in 0\.\.2 or a percentage of r such as 40%$/,
    ],
    [
      'unknown method',
      [...inputs.inline, '--budget', '1', '--method', 'greedy'],
      /^sublora: --method: unknown method 'greedy'; use one of magnitude, linear, .*sublora methods/,
    ],
    [
      'missing file',
      ['--sigma', 'nope.npy', '--grad', grad, '--hessian', hessian, ...rest],
      /^sublora: --sigma nope\.npy: cannot read 'nope\.npy' \(no such file\); check the path$/,
    ],
    [
      'truncated file',
      ['--sigma', 'short.npy', '--grad', grad, '--hessian', hessian, ...rest],
      /^sublora: --sigma short\.npy: at byte \d+: npy file is truncated/,
    ],
    [
      'garbled file',
      ['--sigma', 'garbled.npy', '--grad', grad, '--hessian', hessian, ...rest],
      /^sublora: --sigma garbled\.npy: at byte 0: not an npy file/,
    ],
    [
      'unknown tensor name',
      ['--sigma', 'toy.safetensors:s', '--grad', grad, '--hessian', hessian, ...rest],
      /^sublora: --sigma toy\.safetensors:s: 'toy\.safetensors' has no tensor 's'; available: grad, hessian, sigma$/,
    ],
    [
      'bad layers',
      [...inputs.inline, ...rest, '--layers', '1,2'],
      /^sublora: --layers: sizes 1,2 add up to 3 but sigma has 2 values/,
    ],
    [
      'bad seed',
      [...inputs.inline, ...rest, '--seed', 'x'],
      /^sublora: --seed: 'x' is not a non-negative integer/,
    ],
    [
      'unknown backend',
      [...inputs.inline, ...rest, '--backend', 'cuda'],
      /^sublora: --backend: unknown backend 'cuda'; use one of reference, tfjs, onnxruntime/,
    ],
    [
      'empty sigma',
      ['--sigma', '[]', '--grad', '[]', '--hessian', '[]', '--budget', '0', '--method', 'linear'],
      /^sublora: --sigma: is empty; pass at least one singular value$/,
    ],
    [
      'empty sigma with a budget (was "--budget: 1 is outside 0..0")',
      ['--sigma', '[]', '--grad', '[]', '--hessian', '[]', '--budget', '1', '--method', 'linear'],
      /^sublora: --sigma: is empty; pass at least one singular value$/,
    ],
  ];

  it.each(cases)('%s exits 1 with one line naming the input', async (_name, args, pattern) => {
    expectOneLineError(await select(...args), 1, pattern);
  });

  it('usage errors exit 2', async () => {
    expectOneLineError(
      await select('--sigma', sigma),
      2,
      /^error: required option '--grad <X>' not specified$/,
    );
    expectOneLineError(
      await select(...inputs.inline, ...rest, '--bogus'),
      2,
      /^error: unknown option '--bogus'$/,
    );
    expectOneLineError(await sublora(['choose']), 2, /^error: unknown command 'choose'/);
  });

  it('names --backend only when the name came from the flag', async () => {
    const saved = process.env.SUBLORA_BACKEND;
    process.env.SUBLORA_BACKEND = 'cuda';
    try {
      expectOneLineError(
        await select(...inputs.inline, ...rest),
        1,
        /^sublora: backend: unknown backend 'cuda' \(from SUBLORA_BACKEND\); use one of /,
      );
      expectOneLineError(
        await select(...inputs.inline, ...rest, '--backend', 'cuda'),
        1,
        /^sublora: --backend: unknown backend 'cuda'; use one of /,
      );
    } finally {
      if (saved === undefined) delete process.env.SUBLORA_BACKEND;
      else process.env.SUBLORA_BACKEND = saved;
    }
  });

  it('reads sublora.config.json from the directory it runs in', async () => {
    const where = tempDir();
    fs.writeFileSync(path.join(where, 'sublora.config.json'), '{ "backend": "cuda" }');
    expectOneLineError(
      await sublora(['select', ...inputs.inline, ...rest], where),
      1,
      /^sublora: backend: unknown backend 'cuda' \(from sublora\.config\.json\); /,
    );
  });

  it('runs with --backend reference', async () => {
    const run = await select(...inputs.inline, ...rest, '--backend', 'reference', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kept: [1],
      diagnostics: { computedOn: 'reference' },
    });
  });
});
