/**
 * Independent truth for the kernel tests: index-by-index implementations
 * written from the definitions (multi-indices, no strides tricks, no
 * collapsing), plus fast-check arbitraries for shapes and data.
 */
import fc from 'fast-check';
import { seedXoshiro128 } from '../random';

export type Shape = readonly number[];

export function size(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major multi-index of flat position `i`. */
export function unravel(i: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return idx;
}

/** Flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: Shape): number {
  let i = 0;
  for (let a = 0; a < shape.length; a++) i = i * shape[a] + idx[a];
  return i;
}

/** Numpy broadcast of shapes, written from the rule (align right, 1 stretches). */
export function naiveBroadcast(...shapes: Shape[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => (i < rank - s.length ? 1 : s[i - (rank - s.length)]));
    const big = dims.filter((d) => d !== 1);
    if (big.some((d) => d !== big[0])) return null;
    out.push(big.length ? big[0] : 1);
  }
  return out;
}

/** Element of `data` (shape `shape`) seen at output multi-index `outIdx` under broadcasting. */
export function broadcastRead(
  data: ArrayLike<number>,
  shape: Shape,
  outIdx: readonly number[],
): number {
  const off = outIdx.length - shape.length;
  const idx = shape.map((d, a) => (d === 1 ? 0 : outIdx[a + off]));
  return data[ravel(idx, shape)];
}

/** Elementwise map over broadcast inputs. */
export function naiveElementwise(
  inputs: readonly { data: ArrayLike<number>; shape: Shape }[],
  f: (...v: number[]) => number,
): { data: number[]; shape: number[] } {
  const shape = naiveBroadcast(...inputs.map((x) => x.shape));
  if (!shape) throw new Error('not broadcastable');
  const data: number[] = [];
  for (let i = 0; i < size(shape); i++) {
    const idx = unravel(i, shape);
    data.push(f(...inputs.map((x) => broadcastRead(x.data, x.shape, idx))));
  }
  return { data, shape };
}

/** Triple-loop matmul of one pair of row-major matrices. */
export function naiveMatmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Transpose by multi-indices: output axis i is input axis perm[i]. */
export function naiveTranspose(
  data: ArrayLike<number>,
  shape: Shape,
  perm: readonly number[],
): number[] {
  const outShape = perm.map((a) => shape[a]);
  const out: number[] = [];
  for (let i = 0; i < size(outShape); i++) {
    const o = unravel(i, outShape);
    const idx = new Array<number>(shape.length);
    perm.forEach((a, j) => (idx[a] = o[j]));
    out.push(data[ravel(idx, shape)]);
  }
  return out;
}

/** Deterministic uniform values in [-scale, scale) from a seed (the workspace's one generator core). */
export function randomData(seed: number, n: number, scale = 2): number[] {
  const { uint32 } = seedXoshiro128(seed);
  return Array.from({ length: n }, () => ((uint32() / 4294967296) * 2 - 1) * scale);
}

/** Shapes of rank 0..maxRank with dims in 0..maxDim (size 0 and 1 included). */
export function shapeArb(maxRank = 4, maxDim = 4): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: 0, maxLength: maxRank });
}

/** A shape broadcastable with `shape`: a suffix of it with some dims replaced by 1, maybe padded with 1s. */
export function broadcastPartnerArb(shape: Shape): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: shape.length }),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: 1 }),
    )
    .map(([drop, ones, pad]) => {
      const partner = shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
      return [...new Array<number>(pad).fill(1), ...partner];
    });
}

/** A pair of mutually broadcastable shapes, in random order. */
export const broadcastPairArb: fc.Arbitrary<[number[], number[]]> = shapeArb().chain((a) =>
  fc
    .tuple(broadcastPartnerArb(a), fc.boolean())
    .map(([b, swap]) => (swap ? [b, a] : [a, b]) as [number[], number[]]),
);

/** Asserts `actual` matches `expected` within `rtol * max(1, |expected|)` (exact when rtol = 0); NaNs must match. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 0,
): void {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    const ok = Number.isNaN(e)
      ? Number.isNaN(a)
      : a === e || Math.abs(a - e) <= rtol * Math.max(1, Math.abs(e));
    if (!ok) {
      throw new Error(`entry ${i}: got ${a}, expected ${e} (rtol ${rtol})`);
    }
  }
}
