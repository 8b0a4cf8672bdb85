import fc from 'fast-check';
import type { DType } from '../../backend';
import { naiveMatmul, naiveTranspose, randomData, size } from '../../test-utils/naive.test-utils';
import { referenceBackend as B } from '../register-all-kernels';
import { gemm } from './matmul';
import { KC, MC, NC } from './matmul-blocking';

/** Error bound of a k-term dot product relative to sum |a_ip b_pj|, generous for ordering differences. */
function tolerance(k: number, dtype: DType): number {
  return dtype === 'float64' ? 1e-15 * (k + 4) : 2 ** -23 * 2;
}

/** Checks C against the triple loop within `tol * sum_p |a_ip||b_pj|` per entry. */
function expectMatmul(
  c: ArrayLike<number>,
  a: number[],
  b: number[],
  m: number,
  k: number,
  n: number,
  dtype: DType,
): void {
  const exact = naiveMatmul(a, b, m, k, n);
  const scale = naiveMatmul(a.map(Math.abs), b.map(Math.abs), m, k, n);
  const tol = tolerance(k, dtype);
  expect(c.length).toBe(m * n);
  for (let i = 0; i < m * n; i++) {
    if (Math.abs(c[i] - exact[i]) > tol * scale[i] + Number.MIN_VALUE) {
      throw new Error(
        `C[${Math.floor(i / n)},${i % n}] = ${c[i]}, triple loop ${exact[i]} (m=${m} k=${k} n=${n} ${dtype})`,
      );
    }
  }
}

const dims = fc.integer({ min: 0, max: 40 });

describe('gemm (packed, blocked)', () => {
  it('equals the triple loop for random sizes, including sizes not multiple of the MR x NR tile', () => {
    fc.assert(
      fc.property(dims, dims, dims, fc.integer(), (m, k, n, seed) => {
        const a = randomData(seed, m * k),
          b = randomData(seed + 1, k * n);
        const c = new Float64Array(m * n);
        gemm(
          m,
          n,
          k,
          { data: Float64Array.from(a), offset: 0, rowStride: k, colStride: 1 },
          { data: Float64Array.from(b), offset: 0, rowStride: n, colStride: 1 },
          c,
          0,
        );
        expectMatmul(c, a, b, m, k, n, 'float64');
      }),
      { numRuns: 80 },
    );
  });

  it('crosses every block boundary (MC, KC, NC) with ragged edges', () => {
    const cases: [number, number, number][] = [
      [MC + 5, KC + 7, 9],
      [2 * MC + 3, 2 * KC + 1, 6],
      [6, 3, NC + 5],
      [4, KC, 4],
      [MC, 1, 5],
    ];
    for (const [m, k, n] of cases) {
      const a = randomData(m, m * k),
        b = randomData(n, k * n);
      const c = new Float64Array(m * n);
      gemm(
        m,
        n,
        k,
        { data: Float64Array.from(a), offset: 0, rowStride: k, colStride: 1 },
        { data: Float64Array.from(b), offset: 0, rowStride: n, colStride: 1 },
        c,
        0,
      );
      expectMatmul(c, a, b, m, k, n, 'float64');
    }
  });

  it('A B^T with few rows and long depth (dot products) crosses its depth blocks', () => {
    for (const [m, k, n] of [
      [2, 2 * 1024 + 3, 3],
      [1, 4097, 1],
      [3, 1023, 2],
    ]) {
      const a = randomData(m + 7, m * k),
        bt = randomData(n + 9, n * k); // B^T, row-major [n, k]
      const c = new Float64Array(m * n);
      gemm(
        m,
        n,
        k,
        { data: Float64Array.from(a), offset: 0, rowStride: k, colStride: 1 },
        { data: Float64Array.from(bt), offset: 0, rowStride: 1, colStride: k },
        c,
        0,
      );
      expectMatmul(c, a, naiveTranspose(bt, [n, k], [1, 0]), m, k, n, 'float64');
    }
  });

  it('accumulates into C at an offset and leaves the rest alone', () => {
    const m = 40,
      k = 30,
      n = 37;
    const a = randomData(1, m * k),
      b = randomData(2, k * n);
    const c = new Float64Array(3 + m * n + 2).fill(1);
    gemm(
      m,
      n,
      k,
      { data: Float64Array.from(a), offset: 0, rowStride: k, colStride: 1 },
      { data: Float64Array.from(b), offset: 0, rowStride: n, colStride: 1 },
      c,
      3,
    );
    expect([c[0], c[1], c[2], c[c.length - 2], c[c.length - 1]]).toEqual([1, 1, 1, 1, 1]);
    expectMatmul(
      c.subarray(3, 3 + m * n).map((v) => v - 1),
      a,
      b,
      m,
      k,
      n,
      'float64',
    );
  });
});

describe('matmul', () => {
  const flags = fc.record({ transposeA: fc.boolean(), transposeB: fc.boolean() });

  it.each<DType>(['float64', 'float32'])(
    '2-D with transposeA/B equals the triple loop (%s)',
    (dtype) => {
      const round = dtype === 'float32' ? Math.fround : (x: number) => x;
      fc.assert(
        fc.property(dims, dims, dims, flags, fc.integer(), (m, k, n, opts, seed) => {
          const a = randomData(seed, m * k).map(round),
            b = randomData(seed + 1, k * n).map(round);
          // Store the operands transposed when asked; the product must not change.
          const aStored = opts.transposeA ? naiveTranspose(a, [m, k], [1, 0]) : a;
          const bStored = opts.transposeB ? naiveTranspose(b, [k, n], [1, 0]) : b;
          const A = B.fromArray(aStored, opts.transposeA ? [k, m] : [m, k], dtype);
          const Bm = B.fromArray(bStored, opts.transposeB ? [n, k] : [k, n], dtype);
          const C = B.matmul(A, Bm, opts);
          expect(C.shape).toEqual([m, n]);
          expect(C.dtype).toBe(dtype);
          expectMatmul(B.readSync(C), a, b, m, k, n, dtype);
        }),
        { numRuns: 60 },
      );
    },
  );

  it('broadcasts batch dimensions like numpy', () => {
    const batchPair = fc.constantFrom<[number[], number[]]>(
      [[3], []],
      [[], [2]],
      [[2, 1], [3]],
      [[1], [4]],
      [
        [2, 3],
        [2, 3],
      ],
      [[0], [1]],
      [
        [2, 1, 2],
        [1, 3, 1],
      ],
    );
    fc.assert(
      fc.property(
        batchPair,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        flags,
        fc.integer(),
        ([ba, bb], m, k, n, opts, seed) => {
          const a = randomData(seed, size(ba) * m * k),
            b = randomData(seed + 1, size(bb) * k * n);
          const aShape = opts.transposeA ? [...ba, k, m] : [...ba, m, k];
          const bShape = opts.transposeB ? [...bb, n, k] : [...bb, k, n];
          const C = B.matmul(
            B.fromArray(a, aShape, 'float64'),
            B.fromArray(b, bShape, 'float64'),
            opts,
          );
          const rank = Math.max(ba.length, bb.length);
          const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
          const batch = pad(ba).map(
            (d, i) => Math.max(d, pad(bb)[i]) * (d === 0 || pad(bb)[i] === 0 ? 0 : 1),
          );
          expect(C.shape).toEqual([...batch, m, n]);
          const out = B.readSync(C);
          // Each output matrix against the triple loop on the matrices its batch index selects.
          for (let t = 0; t < size(batch); t++) {
            const pick = (bs: number[]) => {
              let idx = 0,
                rest = t;
              const full = pad(bs);
              const digits = batch.map(() => 0);
              for (let ax = rank - 1; ax >= 0; ax--) {
                digits[ax] = rest % batch[ax];
                rest = Math.floor(rest / batch[ax]);
              }
              for (let ax = 0; ax < rank; ax++)
                idx = idx * full[ax] + (full[ax] === 1 ? 0 : digits[ax]);
              return idx;
            };
            const ra = a.slice(pick(ba) * m * k, (pick(ba) + 1) * m * k);
            const rb = b.slice(pick(bb) * k * n, (pick(bb) + 1) * k * n);
            const am = opts.transposeA ? naiveTranspose(ra, [k, m], [1, 0]) : ra;
            const bm = opts.transposeB ? naiveTranspose(rb, [n, k], [1, 0]) : rb;
            expectMatmul(out.subarray(t * m * n, (t + 1) * m * n), am, bm, m, k, n, 'float64');
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a batch of PINN-sized products through the tall-matrix path', () => {
    const [batch, m, k, n] = [3, 40, 33, 21];
    const a = randomData(5, batch * m * k),
      b = randomData(6, k * n);
    const out = B.readSync(
      B.matmul(B.fromArray(a, [batch, m, k], 'float64'), B.fromArray(b, [k, n], 'float64')),
    );
    expectMatmul(out, a, b, batch * m, k, n, 'float64');
  });

  it('float32 products reuse a pooled float64 accumulator without leftovers', () => {
    // 80 x 60 = 4800 outputs: big enough for the buffer pool, so each product
    // after the first sums in the accumulator the one before returned
    const [m, k, n] = [80, 30, 60];
    const operands = [1, 2, 3].map((seed) => ({
      a: randomData(seed, m * k).map(Math.fround),
      b: randomData(seed + 10, k * n).map(Math.fround),
    }));
    // float32 = the float64 product rounded once
    const expected = operands.map(({ a, b }) =>
      Array.from(naiveMatmul(a, b, m, k, n), Math.fround),
    );
    operands.forEach(({ a, b }, i) => {
      const A = B.fromArray(a, [m, k], 'float32'),
        Bm = B.fromArray(b, [k, n], 'float32');
      const C = B.matmul(A, Bm);
      const got = Array.from(B.readSync(C));
      [A, Bm, C].forEach((t) => B.dispose(t));
      for (let e = 0; e < m * n; e++) {
        if (Math.abs(got[e] - expected[i][e]) > 2 ** -22 * (Math.abs(expected[i][e]) + 1))
          throw new Error(`product ${i}, entry ${e}: ${got[e]} vs ${expected[i][e]}`);
      }
    });
  });

  it('names the shapes when inner or batch dimensions disagree', () => {
    const a = B.zeros([3, 4], 'float64'),
      b = B.zeros([5, 2], 'float64');
    expect(() => B.matmul(a, b)).toThrow('matmul: inner dimensions differ: [3,4] x [5,2] (4 != 5)');
    expect(() => B.matmul(a, b, { transposeA: true })).toThrow(
      'matmul: inner dimensions differ: [3,4] x [5,2] (3 != 5) (transposeA=true, transposeB=false)',
    );
    expect(() => B.matmul(B.zeros([2, 3, 4], 'float64'), B.zeros([3, 4, 2], 'float64'))).toThrow(
      'matmul: batch dimensions do not broadcast: [2,3,4] x [3,4,2]',
    );
    expect(() => B.matmul(B.zeros([4], 'float64'), b)).toThrow(
      /^matmul: both operands need rank >= 2/,
    );
    expect(() => B.matmul(a, B.zeros([4, 2], 'float32'))).toThrow(
      'matmul: dtypes differ: [3,4] float64 and [4,2] float32',
    );
  });
});
