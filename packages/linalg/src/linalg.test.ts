import fc from 'fast-check';
import {
  type Matrix,
  columns,
  fromRows,
  frobeniusNorm,
  hconcat,
  identity,
  matmul,
  matrix,
  orthogonalityError,
  pseudoInverse,
  qr,
  svd,
  transpose,
} from './index';

/** Random matrices with entries in [-1e3, 1e3], of the given shape bounds. */
const arbMatrix = (minRows: number, maxRows: number, minCols: number, maxCols: number) =>
  fc
    .tuple(fc.integer({ min: minRows, max: maxRows }), fc.integer({ min: minCols, max: maxCols }))
    .chain(([r, c]) =>
      fc
        .array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
          minLength: r * c,
          maxLength: r * c,
        })
        .map((d) => matrix(r, c, d)),
    );

/** A tall matrix of rank `rank` (product of random factors), possibly with tiny singular values. */
const arbLowRank = fc
  .tuple(
    fc.integer({ min: 2, max: 9 }),
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 0, max: 5 }),
  )
  .chain(([extra, cols, rankDrop]) => {
    const rows = cols + extra;
    const rank = Math.max(0, cols - rankDrop);
    return fc
      .tuple(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
          minLength: rows * rank,
          maxLength: rows * rank,
        }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
          minLength: rank * cols,
          maxLength: rank * cols,
        }),
      )
      .map(([a, b]) => matmul(matrix(rows, rank, a), matrix(rank, cols, b)));
  });

const diag = (s: Float64Array): Matrix => {
  const out = matrix(s.length, s.length);
  s.forEach((x, i) => (out.data[i * s.length + i] = x));
  return out;
};
const sub = (a: Matrix, b: Matrix): Matrix =>
  matrix(
    a.rows,
    a.cols,
    a.data.map((x, i) => x - b.data[i]),
  );
const relErr = (a: Matrix, b: Matrix) => {
  const d = matrix(
    a.rows,
    a.cols,
    a.data.map((x, i) => x - b.data[i]),
  );
  return frobeniusNorm(d) / Math.max(frobeniusNorm(b), 1e-300);
};

describe('qr', () => {
  it('q has orthonormal columns, r is upper triangular with a non-negative diagonal, qr = a', () => {
    fc.assert(
      fc.property(
        arbMatrix(1, 12, 1, 12).filter((a) => a.rows >= a.cols),
        (a) => {
          const { q, r } = qr(a);
          expect([q.rows, q.cols, r.rows, r.cols]).toEqual([a.rows, a.cols, a.cols, a.cols]);
          expect(orthogonalityError(q)).toBeLessThan(1e-12);
          for (let i = 0; i < r.rows; i++) {
            expect(r.data[i * r.cols + i]).toBeGreaterThanOrEqual(0);
            for (let j = 0; j < i; j++) expect(r.data[i * r.cols + j]).toBe(0);
          }
          if (frobeniusNorm(a) > 0) expect(relErr(matmul(q, r), a)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it('keeps q orthonormal on rank-deficient and zero inputs', () => {
    fc.assert(
      fc.property(arbLowRank, (a) => {
        const { q, r } = qr(a);
        expect(orthogonalityError(q)).toBeLessThan(1e-12);
        expect(
          frobeniusNorm(
            matrix(
              a.rows,
              a.cols,
              matmul(q, r).data.map((x, i) => x - a.data[i]),
            ),
          ),
        ).toBeLessThan(1e-12 * Math.max(1, frobeniusNorm(a)));
      }),
    );
    expect(orthogonalityError(qr(matrix(5, 3)).q)).toBeLessThan(1e-15);
  });

  it('keeps q orthonormal when entries span 280 decades (a fast-check counterexample)', () => {
    // Before entries below 1e-150 of the largest were flushed, products of such
    // entries underflowed inside Householder and q^T q was off by 8.9e-12.
    const tiny = [
      -6.461765660879978e-48, 1.0071217804381952e-121, -2.5834324537813294e-233,
      1.6718320567937566e-112, 9.99999999999997e-281, 8.809297676823195e-138,
      -1.3730048451624011e-211,
    ];
    const a = matrix(9, 6);
    [6, 7, 19, 30, 32, 36, 37].forEach((k, i) => (a.data[k] = tiny[i]));
    a.data[10] = -0.0004013460722365179;
    const { q, r } = qr(a);
    expect(orthogonalityError(q)).toBeLessThan(1e-14);
    expect(relErr(matmul(q, r), a)).toBeLessThan(1e-12);
  });

  it('refuses wide and non-finite inputs with one line naming the fix', () => {
    expect(() => qr(matrix(2, 3))).toThrow(/2 x 3 matrix is wide; thin QR needs rows >= cols/);
    expect(() => qr(matrix(2, 1, [1, NaN]))).toThrow('qr: entry (1, 0) is NaN');
  });
});

describe('svd', () => {
  it('u diag(s) v^T = a with orthonormal u, v and sorted non-negative s (tall, wide, square)', () => {
    fc.assert(
      fc.property(arbMatrix(1, 10, 1, 10), (a) => {
        const { u, s, v } = svd(a);
        const k = Math.min(a.rows, a.cols);
        expect([u.rows, u.cols, s.length, v.rows, v.cols]).toEqual([a.rows, k, k, a.cols, k]);
        for (let i = 0; i < k; i++) {
          expect(s[i]).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        }
        expect(orthogonalityError(u)).toBeLessThan(1e-12);
        expect(orthogonalityError(v)).toBeLessThan(1e-12);
        const back = matmul(matmul(u, diag(s)), v, { transposeB: true });
        expect(
          frobeniusNorm(
            matrix(
              a.rows,
              a.cols,
              back.data.map((x, i) => x - a.data[i]),
            ),
          ),
        ).toBeLessThan(1e-12 * Math.max(1, frobeniusNorm(a)));
      }),
    );
  });

  it('finds the rank of a rank-deficient matrix (trailing singular values at round-off)', () => {
    fc.assert(
      fc.property(arbLowRank, (a) => {
        const { s } = svd(a);
        const tol = 1e-12 * Math.max(1, s[0] ?? 0);
        const numericalRank = Array.from(s).filter((x) => x > tol).length;
        // the rank of the generated product is at most its inner dimension
        expect(numericalRank).toBeLessThanOrEqual(a.cols);
        expect(frobeniusNorm(a) ** 2).toBeCloseTo(
          Array.from(s).reduce((t, x) => t + x * x, 0),
          6,
        );
      }),
    );
  });

  it('resolves an ill-conditioned diagonal (condition 1e12) to relative accuracy', () => {
    const s = [1e6, 1, 1e-6];
    const u = qr(matrix(3, 3, [1, 2, 0, 0, 1, 3, 2, 0, 1])).q;
    const v = qr(matrix(3, 3, [0, 1, 1, 1, 0, 2, 3, 1, 0])).q;
    const a = matmul(matmul(u, diag(Float64Array.from(s))), v, { transposeB: true });
    const got = svd(a).s;
    expect(Math.abs(got[0] / s[0] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(got[1] / s[1] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(got[2] - s[2])).toBeLessThan(1e-9);
  });

  it('is exact on the known rank-2 GeoLoRA toy target', () => {
    const t = matrix(20, 20);
    t.data[0 * 20 + 1] = 15;
    t.data[1 * 20 + 0] = -2;
    const { s } = svd(t);
    expect(Array.from(s.subarray(0, 3))).toEqual([15, 2, 0]);
  });
});

describe('pseudoInverse', () => {
  it('satisfies the four Penrose conditions, also on rank-deficient inputs', () => {
    fc.assert(
      fc.property(fc.oneof(arbLowRank, arbMatrix(1, 8, 1, 8)), (a) => {
        const p = pseudoInverse(a);
        expect([p.rows, p.cols]).toEqual([a.cols, a.rows]);
        const scale = Math.max(1, frobeniusNorm(a)) * Math.max(1, frobeniusNorm(p));
        const apa = matmul(matmul(a, p), a);
        const pap = matmul(matmul(p, a), p);
        expect(frobeniusNorm(sub(apa, a))).toBeLessThan(
          1e-9 * scale * Math.max(1, frobeniusNorm(a)),
        );
        expect(frobeniusNorm(sub(pap, p))).toBeLessThan(
          1e-9 * scale * Math.max(1, frobeniusNorm(p)),
        );
        const ap = matmul(a, p);
        const pa = matmul(p, a);
        expect(frobeniusNorm(sub(ap, transpose(ap)))).toBeLessThan(1e-9 * scale);
        expect(frobeniusNorm(sub(pa, transpose(pa)))).toBeLessThan(1e-9 * scale);
      }),
    );
  });

  it('inverts an invertible diagonal and maps zero to zero', () => {
    expect(
      Array.from(
        pseudoInverse(
          fromRows([
            [4, 0],
            [0, -0.5],
          ]),
        ).data,
      ),
    ).toEqual([0.25, 0, 0, -2]);
    expect(Array.from(pseudoInverse(matrix(2, 3)).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('matrix helpers', () => {
  it('build, slice, join and transpose as documented', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(transpose(a).data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(columns(a, 1, 3).data)).toEqual([2, 3, 5, 6]);
    expect(Array.from(hconcat(columns(a, 0, 1), columns(a, 1, 3)).data)).toEqual(
      Array.from(a.data),
    );
    expect(Array.from(matmul(a, a, { transposeB: true }).data)).toEqual([14, 32, 32, 77]);
    expect(Array.from(identity(3, 2).data)).toEqual([1, 0, 0, 1, 0, 0]);
    expect(() => matrix(2, 2, [1])).toThrow('matrix: 1 entries given for a 2 x 2 matrix (needs 4)');
    expect(() => matmul(a, a)).toThrow('matmul: inner dimensions differ (2 x 3 times 2 x 3)');
  });
});
