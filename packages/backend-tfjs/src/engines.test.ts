import { createTfjsBackend, INSTALL_COMMANDS } from './index';

// On this machine tfjs-node and tfjs-node-gpu are not installed (their install
// script downloads libtensorflow), so automatic choice must land on wasm and say why.
describe('engine choice', () => {
  it('skips the missing native engines with their install command and picks wasm', async () => {
    const be = await createTfjsBackend();
    const report = be.describe();
    expect(report.engine).toBe('wasm');
    expect(report.tfBackend).toBe('wasm');
    expect(report.device).toMatch(/^CPU \(WebAssembly/);
    expect(report.attempts.map((a) => [a.engine, a.ok])).toEqual([
      ['node-gpu', false],
      ['node', false],
      ['wasm', true],
    ]);
    expect(report.attempts[0].reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(report.attempts[0].reason).toContain(INSTALL_COMMANDS['node-gpu']);
    expect(report.attempts[1].reason).toContain(INSTALL_COMMANDS.node);
    expect(report.float64).toBe('error');
  });

  it('forcing a missing engine is one line with the install command', async () => {
    await expect(createTfjsBackend({ engine: 'node' })).rejects.toThrow(
      /^engine: 'node' is not available \(@tensorflow\/tfjs-node is not installed; install with: npm install @tensorflow\/tfjs-node@4\.22\.0\)$/,
    );
    await expect(createTfjsBackend({ engine: 'node-gpu' })).rejects.toThrow(
      /tfjs-node-gpu@4\.22\.0/,
    );
  });

  it('rejects an unknown engine name listing the valid ones', async () => {
    await expect(createTfjsBackend({ engine: 'webgpu' as unknown as 'cpu' })).rejects.toThrow(
      "engine: 'webgpu' is not a tfjs engine; use one of node-gpu, node, wasm, cpu",
    );
  });

  it('forcing cpu reports the pure-JavaScript engine and no other attempts', async () => {
    const be = await createTfjsBackend({ engine: 'cpu' });
    expect(be.describe()).toMatchObject({
      engine: 'cpu',
      tfBackend: 'cpu',
      device: 'CPU (pure JavaScript)',
      attempts: [{ engine: 'cpu', ok: true }],
    });
  });

  it('two instances on different engines coexist and each computes on its own', async () => {
    const cpu = await createTfjsBackend({ engine: 'cpu' });
    const wasm = await createTfjsBackend({ engine: 'wasm' });
    const a = cpu.fromArray([1, 2, 3], [3], 'float32');
    const b = wasm.fromArray([4, 5, 6], [3], 'float32');
    const a2 = cpu.binary('mul', a, a);
    const b2 = wasm.binary('add', b, b);
    expect(Array.from(await cpu.read(a2))).toEqual([1, 4, 9]);
    expect(Array.from(await wasm.read(b2))).toEqual([8, 10, 12]);
    expect(() => cpu.binary('add', a, b)).toThrow(/another tfjs backend instance/);
  });
});
