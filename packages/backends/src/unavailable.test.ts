// The onnxruntime package is loaded at run time; when it fails to import, or
// lacks its factory, it must show up as "not available" with a reason, and
// resolving it must be one line with the install command.
import type * as Backends from './index';

/** A fresh copy of this package, after jest.doMock (a static import would be cached). */
function freshBackends(): typeof Backends {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./index');
}

describe('a backend package that cannot be used', () => {
  afterEach(() => jest.resetModules());

  it('reports an import failure as unavailable, and the rest still works', async () => {
    jest.doMock('@sublora/backend-onnxruntime', () => {
      throw new Error('native binding missing\nsecond line of detail');
    });
    const { listBackends, resolveBackend } = freshBackends();
    const rows = await listBackends();
    expect(rows.find((r) => r.name === 'onnxruntime')).toEqual({
      name: 'onnxruntime',
      available: false,
      reason: '@sublora/backend-onnxruntime failed to load: native binding missing',
      install: 'npm install @sublora/backend-onnxruntime onnxruntime-node',
    });
    expect(rows.find((r) => r.name === 'reference')?.available).toBe(true);
    await expect(resolveBackend('onnxruntime')).rejects.toThrow(
      "backend: 'onnxruntime' is not available: @sublora/backend-onnxruntime failed to load: native binding missing; install with: npm install @sublora/backend-onnxruntime onnxruntime-node (the default 'reference' backend needs nothing)",
    );
  });

  it("reports a package without its descriptor, or with another family's, as unavailable", async () => {
    const reason =
      "@sublora/backend-onnxruntime does not export a backendDescriptor for 'onnxruntime'";
    jest.doMock('@sublora/backend-onnxruntime', () => ({ somethingElse: 1 }));
    let row = (await freshBackends().listBackends()).find((r) => r.name === 'onnxruntime');
    expect(row?.reason).toBe(reason);
    jest.resetModules();
    jest.doMock('@sublora/backend-onnxruntime', () => ({
      backendDescriptor: { family: 'tfjs', create: () => Promise.reject(new Error('no')) },
    }));
    row = (await freshBackends().listBackends()).find((r) => r.name === 'onnxruntime');
    expect(row?.reason).toBe(reason);
  });

  it('creates a backend through the descriptor the package exports', async () => {
    jest.doMock('@sublora/backend-onnxruntime', () => {
      const { referenceBackend } = jest.requireActual('@sublora/tensor');
      return {
        backendDescriptor: {
          family: 'onnxruntime',
          create: (variant?: string) =>
            Promise.resolve({ ...referenceBackend, name: `described:${String(variant)}` }),
        },
      };
    });
    const backend = await freshBackends().resolveBackend('onnxruntime');
    expect(backend.name).toBe('described:undefined');
  });

  it("names the forced engine's package when tfjs cannot load for tfjs:node (was the family's, without tfjs-node)", async () => {
    jest.doMock('@sublora/backend-tfjs', () => {
      throw new Error('libtensorflow.so: cannot open shared object file');
    });
    const { resolveBackend } = freshBackends();
    await expect(resolveBackend('tfjs:node')).rejects.toThrow(
      "backend: 'tfjs:node' is not available: @sublora/backend-tfjs failed to load: libtensorflow.so: cannot open shared object file; install with: npm install @sublora/backend-tfjs @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-node@4.22.0 (the default 'reference' backend needs nothing)",
    );
  });
});
