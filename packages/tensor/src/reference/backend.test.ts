import type { Tensor } from '../backend';
import { TensorError } from '../errors';
import { referenceBackend as B } from './register-all-kernels';

describe('referenceBackend', () => {
  it('describes itself', () => {
    expect(B.name).toBe('reference');
    expect(B.dtypes).toEqual(['float64', 'float32']);
  });

  it('creates tensors with the requested dtype and shape', () => {
    const x = B.fromArray([1, 2.5, 3], [3], 'float32');
    expect([x.shape, x.dtype, x.backend]).toEqual([[3], 'float32', 'reference']);
    expect(B.readSync(x)).toEqual(Float32Array.from([1, 2.5, 3]));
    expect(B.readSync(B.fill([2, 2], -1.5, 'float64'))).toEqual(
      Float64Array.from([-1.5, -1.5, -1.5, -1.5]),
    );
    expect(B.readSync(B.zeros([], 'float64'))).toEqual(Float64Array.from([0]));
    expect(B.readSync(B.fromArray(Float32Array.from([0.1]), [1], 'float64'))[0]).toBe(
      Math.fround(0.1),
    );
  });

  it('rejects bad creation arguments with one-line messages', () => {
    expect(() => B.fromArray([1, 2], [3], 'float64')).toThrow(
      'fromArray: data has 2 values but shape [3] needs 3',
    );
    expect(() => B.zeros([2, -1], 'float64')).toThrow(
      'zeros: shape [2,-1] has entry -1 at axis 1; every dimension must be a non-negative integer',
    );
    expect(() => B.fill([2], 1, 'int32' as never)).toThrow(
      "fill: unsupported dtype int32; use 'float64' or 'float32'",
    );
  });

  it('copies on fromArray and read, so neither side can alias the tensor', async () => {
    const src = [1, 2, 3];
    const x = B.fromArray(src, [3], 'float64');
    src[0] = 100;
    const copy = await B.read(x);
    copy[1] = 200;
    expect(Array.from(await B.read(x))).toEqual([1, 2, 3]);
  });

  it('reshape shares nothing observable: disposing the source keeps the view readable', () => {
    const x = B.fromArray([1, 2, 3, 4], [2, 2], 'float64');
    const y = B.reshape(x, [4]);
    B.dispose(x);
    expect(Array.from(B.readSync(y))).toEqual([1, 2, 3, 4]);
  });

  it('disposal is idempotent and later use is a clear error', async () => {
    const x = B.fromArray([1, 2], [2], 'float64');
    B.dispose(x);
    B.dispose(x);
    expect(() => B.unary('exp', x)).toThrow(
      'exp: tensor [2] float64 was disposed; keep a handle alive until its last use',
    );
    expect(() => B.readSync(x)).toThrow(TensorError);
    await expect(B.read(x)).rejects.toThrow('read: tensor [2] float64 was disposed');
  });

  it('refuses handles of another backend', () => {
    const foreign: Tensor = { shape: [2], dtype: 'float64', backend: 'tfjs' };
    expect(() => B.binary('add', foreign, foreign)).toThrow(
      "add: tensor is owned by backend 'tfjs', not 'reference'; read it and recreate it with referenceBackend.fromArray",
    );
    expect(() => B.dispose(foreign)).toThrow(/^dispose: tensor is owned by backend 'tfjs'/);
  });

  it('accepts handles made by a second loaded copy of the package', () => {
    let other: typeof B | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      other = (require('./register-all-kernels') as { referenceBackend: typeof B })
        .referenceBackend;
    });
    const x = other!.fromArray([1, 2], [2], 'float64');
    expect(Array.from(B.readSync(B.binary('add', x, x)))).toEqual([2, 4]);
  });

  it('handle shapes are frozen copies', () => {
    const shape = [2, 3];
    const x = B.zeros(shape, 'float64');
    shape[0] = 9;
    expect(x.shape).toEqual([2, 3]);
    expect(Object.isFrozen(x.shape)).toBe(true);
  });
});
