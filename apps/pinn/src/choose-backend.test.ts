import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Backend, referenceBackend } from '@sublora/tensor';
import { chooseBackend } from './choose-backend';

const fake = (name: string, dtypes: Backend['dtypes']): Backend => ({
  ...referenceBackend,
  name,
  dtypes,
});
const quiet = { env: {}, cwd: os.tmpdir() };

describe('chooseBackend', () => {
  it('takes onnxruntime when nothing names a backend and it loads with float64', async () => {
    const asked: (string | undefined)[] = [];
    const choice = await chooseBackend('auto', quiet, async (name) => {
      asked.push(name);
      return fake(name ?? 'reference', ['float64', 'float32']);
    });
    expect(asked).toEqual(['onnxruntime']);
    expect(choice.backend.name).toBe('onnxruntime');
    expect(choice.reason).toMatch(/^auto: onnxruntime is the fastest engine that loads here/);
  });

  it('falls back to the reference backend with the reason on one line', async () => {
    const choice = await chooseBackend('auto', quiet, async (name) => {
      if (name === 'onnxruntime') throw new Error('cannot load libonnxruntime.so\nstack');
      return fake(name ?? '?', ['float64']);
    });
    expect(choice.backend.name).toBe('reference');
    expect(choice.reason).toBe(
      'auto: onnxruntime did not load (cannot load libonnxruntime.so); using the reference backend',
    );
    const f32 = await chooseBackend('auto', quiet, async (name) =>
      fake(name ?? '?', name === 'onnxruntime' ? ['float32'] : ['float64']),
    );
    expect(f32.backend.name).toBe('reference');
    expect(f32.reason).toMatch(/lacks float64/);
  });

  it('lets SUBLORA_BACKEND, sublora.config.json and the configuration name it', async () => {
    const resolve = async (name?: string) => fake(name ?? 'selected', ['float64']);
    const env = await chooseBackend('auto', { env: { SUBLORA_BACKEND: 'tfjs' } }, resolve);
    expect([env.backend.name, env.reason]).toEqual(['selected', 'named by SUBLORA_BACKEND']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'choose-'));
    fs.writeFileSync(path.join(dir, 'sublora.config.json'), '{ "backend": "reference" }');
    const file = await chooseBackend('auto', { env: {}, cwd: dir }, resolve);
    expect(file.reason).toBe('named by sublora.config.json');
    fs.rmSync(dir, { recursive: true });
    const named = await chooseBackend('tfjs:wasm', quiet, resolve);
    expect([named.backend.name, named.reason]).toEqual(['tfjs:wasm', 'named by the configuration']);
  });
});
