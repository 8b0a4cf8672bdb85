test('a missing engine is one line with the install command', () => {
  jest.isolateModules(() => {
    jest.doMock('onnxruntime-node', () => {
      throw new Error("Cannot find module 'onnxruntime-node'\nRequire stack: ...");
    });
    // A fresh copy of the module under the mock: isolateModules needs a require.
    const engine = require('./engine') as typeof import('./engine'); // eslint-disable-line @typescript-eslint/no-require-imports
    const { loadOnnxruntime, EngineUnavailableError } = engine;
    let error: unknown;
    try {
      loadOnnxruntime();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineUnavailableError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('npm install onnxruntime-node');
    expect(message).toContain("Cannot find module 'onnxruntime-node'");
  });
});
