import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { InputError, referenceBackend } from '@sublora/tensor';
import {
  listBackends,
  loadBackend,
  parseBackendNameE,
  resolveBackend,
  resolveBackendE,
  selectBackendName,
  selectBackendNameE,
} from './index';

const created: string[] = [];
afterAll(() => created.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDirWith(config?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-backends-'));
  created.push(dir);
  if (config !== undefined) fs.writeFileSync(path.join(dir, 'sublora.config.json'), config);
  return dir;
}

describe('selectBackendName', () => {
  const empty = tempDirWith();

  it('prefers argument > SUBLORA_BACKEND > sublora.config.json > reference', () => {
    const withConfig = tempDirWith('{ "backend": "onnxruntime" }');
    const env = { SUBLORA_BACKEND: 'tfjs:cpu' };
    expect(selectBackendName('reference', { env, cwd: withConfig })).toEqual({
      family: 'reference',
      source: 'argument',
    });
    expect(selectBackendName(undefined, { env, cwd: withConfig })).toEqual({
      family: 'tfjs',
      variant: 'cpu',
      source: 'env',
    });
    expect(selectBackendName(undefined, { env: {}, cwd: withConfig })).toEqual({
      family: 'onnxruntime',
      source: 'config',
    });
    expect(selectBackendName(undefined, { env: {}, cwd: empty })).toEqual({
      family: 'reference',
      source: 'default',
    });
    // a byte-order mark before the JSON, as some Windows editors write it
    const withBom = tempDirWith('\uFEFF{ "backend": "onnxruntime" }');
    expect(selectBackendName(undefined, { env: {}, cwd: withBom })).toEqual({
      family: 'onnxruntime',
      source: 'config',
    });
    expect(selectBackendName(undefined, { env: {}, cwd: tempDirWith('{ "seed": 1 }') })).toEqual({
      family: 'reference',
      source: 'default',
    });
  });

  it('rejects unknown names and variants in one line, saying where the name came from', () => {
    expect(() => selectBackendName('pytorch', { env: {}, cwd: empty })).toThrow(
      "backend: unknown backend 'pytorch'; use one of reference, tfjs, onnxruntime (tfjs also as tfjs:node-gpu, tfjs:node, tfjs:wasm, tfjs:cpu)",
    );
    expect(() =>
      selectBackendName(undefined, { env: { SUBLORA_BACKEND: 'tfjs:webgl' }, cwd: empty }),
    ).toThrow(/^backend: unknown backend 'tfjs:webgl' \(from SUBLORA_BACKEND\); use one of/);
    expect(() => selectBackendName('reference:gpu', { env: {}, cwd: empty })).toThrow(
      /unknown backend 'reference:gpu'/,
    );
  });

  it('reports a broken config file by path with the fix', () => {
    const bad = tempDirWith('{ backend: tfjs }');
    expect(() => selectBackendName(undefined, { env: {}, cwd: bad })).toThrow(
      /sublora\.config\.json: is not valid JSON \(.*\); write e\.g\. \{ "backend": "reference" \}$/,
    );
    const wrongType = tempDirWith('{ "backend": 3 }');
    expect(() => selectBackendName(undefined, { env: {}, cwd: wrongType })).toThrow(
      /field "backend" must be a string/,
    );
  });
});

describe('resolveBackend', () => {
  it('defaults to the reference backend', async () => {
    expect(await resolveBackend(undefined, { env: {}, cwd: tempDirWith() })).toBe(referenceBackend);
  });

  it('creates tfjs on the engine a variant names', async () => {
    const be = await resolveBackend('tfjs:cpu');
    expect(be.name).toBe('tfjs');
    expect((be as unknown as { describe(): { engine: string } }).describe().engine).toBe('cpu');
    const x = be.fromArray([1, 2], [2], 'float32');
    expect(Array.from(await be.read(be.unary('square', x)))).toEqual([1, 4]);
  });

  it('passes `threads` to the backend it creates, and refuses a count below 1', async () => {
    const ort = await resolveBackend('onnxruntime', { threads: 1 });
    expect(
      (ort as unknown as { describe(): { intraOpNumThreads: number } }).describe()
        .intraOpNumThreads,
    ).toBe(1);
    // the reference backend shares its big matrix products among that many threads
    expect(await resolveBackend('reference', { threads: 2 })).toBe(referenceBackend);
    expect(referenceBackend.describe()).toEqual({ matmulKernel: 'wasm-simd', matmulThreads: 2 });
    const [m, k, n] = [300, 200, 100]; // 6M multiply-adds: shared by both threads
    const a = referenceBackend.fromArray(
      Array.from({ length: m * k }, (_, i) => Math.sin(i)),
      [m, k],
      'float64',
    );
    const b = referenceBackend.fromArray(
      Array.from({ length: k * n }, (_, i) => Math.cos(i)),
      [k, n],
      'float64',
    );
    const two = referenceBackend.readSync(referenceBackend.matmul(a, b));
    await resolveBackend('reference', { threads: 1 });
    expect(referenceBackend.describe().matmulThreads).toBe(1);
    expect(referenceBackend.readSync(referenceBackend.matmul(a, b))).toEqual(two);
    for (const bad of [0, 1.5, -2]) {
      await expect(resolveBackend('reference', { threads: bad })).rejects.toThrow(
        new RegExp(`^threads: ${bad} is not a whole number >= 1; [^\n]*$`),
      );
    }
  });

  it('a missing tfjs engine is one line with the install command', async () => {
    await expect(resolveBackend('tfjs:node-gpu')).rejects.toThrow(
      /^backend: 'tfjs:node-gpu' is not available: engine: 'node-gpu' is not available \(@tensorflow\/tfjs-node-gpu is not installed; install with: npm install @tensorflow\/tfjs-node-gpu@4\.22\.0 [^\n]*\)[^\n]*$/,
    );
    // a name from the environment says so, as an unknown one does
    await expect(
      resolveBackend(undefined, { env: { SUBLORA_BACKEND: 'tfjs:node-gpu' } }),
    ).rejects.toThrow(/^backend: 'tfjs:node-gpu' \(from SUBLORA_BACKEND\) is not available: /);
  });
});

describe('the Either forms', () => {
  /** The message of a Left, or 'right'. */
  const leftMessage = (r: E.Either<Error, unknown>): string =>
    E.isLeft(r) ? r.left.message : 'right';

  it('return bad names and config files as values, with the messages the throwing forms use', () => {
    const empty = tempDirWith();
    const bad = tempDirWith('{ backend: tfjs }');
    const cases: [string | undefined, Record<string, string>, string][] = [
      ['pytorch', {}, empty],
      [undefined, { SUBLORA_BACKEND: 'tfjs:webgl' }, empty],
      [undefined, {}, bad],
      [undefined, {}, tempDirWith('{ "backend": 3 }')],
    ];
    for (const [name, env, cwd] of cases) {
      const r = selectBackendNameE(name, { env, cwd });
      expect(E.isLeft(r) && r.left).toBeInstanceOf(InputError);
      expect(() => selectBackendName(name, { env, cwd })).toThrow(leftMessage(r));
    }
    expect(parseBackendNameE('tfjs:wasm', 'env')).toEqual(
      E.right({ family: 'tfjs', variant: 'wasm', source: 'env' }),
    );
    expect(selectBackendNameE(undefined, { env: {}, cwd: empty })).toEqual(
      E.right({ family: 'reference', source: 'default' }),
    );
  });

  it('resolveBackendE gives the backend or the one-line error resolveBackend throws', async () => {
    expect(await resolveBackendE('reference')()).toEqual(E.right(referenceBackend));
    for (const name of ['pytorch', 'tfjs:node-gpu']) {
      const r = await resolveBackendE(name)();
      expect(E.isLeft(r) && r.left).toBeInstanceOf(InputError);
      await expect(resolveBackend(name)).rejects.toThrow(leftMessage(r));
    }
  });

  it('loadBackend gives an unavailable engine as a Left with its reason', async () => {
    const r = await loadBackend({ family: 'tfjs', variant: 'node-gpu', source: 'argument' })();
    expect(leftMessage(r)).toMatch(/^engine: 'node-gpu' is not available \(/);
    expect(await loadBackend({ family: 'reference', source: 'default' })()).toEqual(
      E.right(referenceBackend),
    );
  });
});

describe('listBackends', () => {
  it('lists every family with availability, reasons and install commands', async () => {
    const rows = await listBackends();
    expect(rows.map((r) => r.name)).toEqual(['reference', 'tfjs', 'onnxruntime']);
    expect(rows[0]).toMatchObject({
      name: 'reference',
      available: true,
      dtypes: ['float64', 'float32'],
    });
    expect(rows[1]).toMatchObject({
      name: 'tfjs',
      available: true,
      dtypes: ['float32'],
      description: { engine: 'wasm' },
    });
    // onnxruntime is available exactly when its package has an entry point.
    const onnxPresent = fs.existsSync(
      path.join(__dirname, '../../backend-onnxruntime/src/index.ts'),
    );
    expect(rows[2].available).toBe(onnxPresent);
    if (!onnxPresent) {
      expect(rows[2].reason).toMatch(/^@sublora\/backend-onnxruntime failed to load: /);
      expect(rows[2].install).toContain('onnxruntime-node');
    }
  });
});
