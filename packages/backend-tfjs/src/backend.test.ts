import * as fc from 'fast-check';
import type { Tensor } from '@sublora/tensor';
import { createTfjsBackend, type EngineName, type TfjsBackend } from './index';

const engines: EngineName[] = ['cpu', 'wasm'];

describe.each(engines)('tfjs backend on %s', (engine) => {
  let be: TfjsBackend;
  beforeAll(async () => {
    be = await createTfjsBackend({ engine });
  });
  const f32 = (data: number[], shape: number[]) => be.fromArray(data, shape, 'float32');
  const read = async (t: Tensor) => Array.from(await be.read(t));

  it('computes small cases exactly', async () => {
    const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const col = f32([10, 20], [2, 1]);
    expect(await read(be.binary('add', a, col))).toEqual([11, 12, 13, 24, 25, 26]);
    expect(await read(be.matmul(a, a, { transposeB: true }))).toEqual([14, 32, 32, 77]);
    expect(await read(be.reduce('sum', a, [0]))).toEqual([5, 7, 9]);
    expect(await read(be.reduce('max', a, [1], true))).toEqual([3, 6]);
    expect(be.reduce('max', a, [1], true).shape).toEqual([2, 1]);
    expect(await read(be.compare('greater', a, f32([3], [])))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(await read(be.where(f32([1, 0, 2], [3]), a, f32([-1], [])))).toEqual([
      1, -1, 3, 4, -1, 6,
    ]);
    expect(await read(be.gather(a, [2, 0, 2], 1))).toEqual([3, 1, 3, 6, 4, 6]);
    expect(await read(be.slice(a, [0, 1], [-1, 2]))).toEqual([2, 3, 5, 6]);
    expect(await read(be.concat([a, a], 0))).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expect(await read(be.transpose(a))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(await read(be.broadcastTo(col, [2, 2]))).toEqual([10, 10, 20, 20]);
    expect(be.readSync?.(be.zeros([2], 'float32'))).toEqual(new Float32Array([0, 0]));
  });

  it('broadcasts matmul batch dimensions', async () => {
    const a = f32([1, 0, 0, 1, 2, 0, 0, 2], [2, 1, 2, 2]); // two scaled identities
    const b = f32([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 2, 2]);
    const c = be.matmul(a, b);
    expect(c.shape).toEqual([2, 3, 2, 2]);
    const out = await read(c);
    expect(out.slice(0, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(out.slice(12)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
  });

  it('scatterAdd accumulates repeated indices on any axis', async () => {
    const u = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const s = be.scatterAdd(u, [1, 1, 0], 1, 4);
    expect(s.shape).toEqual([2, 4]);
    expect(await read(s)).toEqual([3, 3, 0, 0, 6, 9, 0, 0]);
    expect(await read(be.scatterAdd(u, [2, 0], 0, 3))).toEqual([4, 5, 6, 0, 0, 0, 1, 2, 3]);
    expect(await read(be.scatterAdd(f32([], [0, 2]), [], 0, 2))).toEqual([0, 0, 0, 0]);
  });

  it('scatterAdd is the adjoint of gather: <scatterAdd(u), x> = <u, gather(x)>', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 1 }),
        async (rows, size, rawIdx, axis) => {
          const idx = rawIdx.map((i) => i % size);
          const xShape = axis === 0 ? [size, rows] : [rows, size];
          const uShape = axis === 0 ? [idx.length, rows] : [rows, idx.length];
          const xs = Array.from({ length: size * rows }, (_, i) => ((i * 7) % 5) - 2);
          const us = Array.from({ length: idx.length * rows }, (_, i) => ((i * 3) % 7) - 3);
          const x = f32(xs, xShape);
          const u = f32(us, uShape);
          const lhs = (await read(be.scatterAdd(u, idx, axis, size))).reduce(
            (s, v, i) => s + v * xs[i],
            0,
          );
          const rhs = (await read(be.gather(x, idx, axis))).reduce((s, v, i) => s + v * us[i], 0);
          expect(lhs).toBe(rhs); // small integers: exact in float32
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses float64 by default and downcasts once when allowed', async () => {
    expect(() => be.fromArray([1], [1], 'float64')).toThrow(
      "fromArray: tfjs computes in float32 only; request 'float32', pass { allowDowncast: true } to createTfjsBackend, or use the reference backend for float64",
    );
    const logs: string[] = [];
    const loose = await createTfjsBackend({
      engine,
      allowDowncast: true,
      log: (m) => logs.push(m),
    });
    const x = loose.fromArray([0.1, 2], [2], 'float64');
    const y = loose.cast(loose.zeros([2], 'float64'), 'float64');
    expect(x.dtype).toBe('float32');
    expect(y.dtype).toBe('float32');
    expect(Array.from(await loose.read(x))).toEqual([Math.fround(0.1), 2]);
    expect(logs).toHaveLength(1);
    expect(loose.describe().float64).toBe('downcast');
  });

  it('rejects bad input with one-line TensorErrors', () => {
    const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = f32([1, 2], [2]);
    const cases: [() => unknown, RegExp][] = [
      [() => be.binary('add', a, b), /^add: shapes do not broadcast: \[2,3\] and \[2\]/],
      [() => be.matmul(a, a), /^matmul: inner dimensions differ: \[2,3\] x \[2,3\] \(3 != 2\)$/],
      [() => be.fromArray([1, 2, 3], [2, 2], 'float32'), /^fromArray: data has 3 values/],
      [() => be.reshape(a, [4]), /^reshape: cannot reshape \[2,3\]/],
      [
        () => be.gather(a, [3], 1),
        /^gather: index 3 at position 0 is outside \[0, 3\) \(axis 1 of \[2,3\] float32\)$/,
      ],
      [
        () => be.slice(a, [1, 2], [1, 2]),
        /^slice: begin \[1,2\], size \[1,2\] for \[2,3\] float32: axis 1 range \[2, 4\) is outside \[0, 3\]$/,
      ],
      [() => be.concat([a, b], 0), /^concat: shapes differ off axis 0: \[2,3\] and \[2\]$/],
      [() => be.transpose(a, [0, 0]), /^transpose: perm \[0,0\] is not a permutation/],
      [
        () => be.broadcastTo(a, [3, 3]),
        /^broadcastTo: cannot broadcast \[2,3\] float32 to \[3,3\]$/,
      ],
      [() => be.reduce('sum', a, [2]), /^sum: axis 2 is out of range for rank 2/],
      [
        () => be.scatterAdd(a, [0, 1], 1, 2),
        /^scatterAdd: updates \[2,3\] float32 has 3 slices on axis 1 but 2 indices were given$/,
      ],
      [
        () => be.unary('exp', { shape: [1], dtype: 'float32', backend: 'reference' }),
        /^exp: tensor is owned by backend 'reference'/,
      ],
    ];
    for (const [f, message] of cases) {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('TensorError');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('dispose is idempotent and a disposed handle is a clear error', () => {
    const a = f32([1], [1]);
    be.dispose(a);
    be.dispose(a);
    expect(() => be.unary('neg', a)).toThrow(
      'neg: tensor [1] float32 was disposed; keep a handle alive until its last use',
    );
  });
});
