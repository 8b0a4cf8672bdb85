/**
 * Matrix multiplication: a cache-blocked, packed GEMM (the GotoBLAS/BLIS loop
 * nest) and the batched, transposable `matmul` built on it.
 *
 * Loop nest for `C += A B` (`A` is m x k, `B` is k x n, any strides):
 *
 *     for jc in n step NC            B panel KC x NC packed once (stays in L2/L3)
 *       for pc in k step KC
 *         pack B[pc.., jc..] into column slivers of width NR
 *         for ic in m step MC        A block MC x KC packed once (stays in L2)
 *           pack A[ic.., pc..] into row slivers of height MR
 *           for each NR sliver of B, each MR sliver of A:
 *             micro-kernel: MR x NR accumulators in locals, KC rank-1 updates
 *
 * Packing makes every micro-kernel read unit-stride and turns transposeA/B
 * into nothing but different strides at packing time. Packed buffers are
 * float64 (also for float32 inputs, which are widened while packing), so the
 * micro-kernel is monomorphic and accumulates in float64.
 *
 * The micro- and macro-kernel run as WebAssembly SIMD where the engine has it
 * ({@link ./wasm/gemm-simd}: a 4 x 4 tile of `f64x2` accumulators, packing in
 * place into the module's memory), else as the scalar 3 x 4 tile below. Both
 * add each depth block's running sum into C in the same order, so they give
 * bit-identical products; {@link ./gemm-engine} chooses one and its threads.
 */
import type { HostArray } from '../../backend';
import { simdKernel } from './gemm-engine';
import { KC, MC, MR, NC, NR } from './matmul-blocking';
import { SIMD_MR, type SimdGemm } from './wasm/gemm-simd';

/** Below this many multiply-adds the packing overhead outweighs blocking. */
const SMALL_WORK = 16 * 16 * 16;
/** Below this depth each micro-kernel call does too little work to repay packing (e.g. `[1000,2] x [2,50]`). */
const SMALL_DEPTH = 8;
/**
 * At most this many columns, a product with row-major float64 A skips packing A
 * on the scalar path ({@link gemmThin}): each packed A element would serve only
 * `n / NR` micro-kernel calls, so packing costs about as much as the scalar
 * arithmetic. The SIMD kernel packs A anyway and is still 2.2-2.8x faster,
 * except for a single B sliver (`n <= NR`), which keeps {@link gemmThin}.
 */
const THIN_N = 32;
/** Depth of one block of {@link gemmDots}: `(m + n) x DOT_BLOCK` float64 stay in L1/L2 while every pair is summed. */
const DOT_BLOCK = 1024;

// Packing buffers, grown on demand and reused across calls (JS is single-threaded).
const packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(0);

/** A matrix operand: element (i, j) is `data[offset + i * rowStride + j * colStride]`. */
export interface StridedMatrix {
  readonly data: HostArray;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * `c[cOff + i*n + j] += sum_p A(i,p) B(p,j)` for an m x k `A` and a k x n `B`
 * with arbitrary strides; `c` is row-major with leading dimension n.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: StridedMatrix,
  b: StridedMatrix,
  c: Float64Array,
  cOff: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (m * n * k <= SMALL_WORK || m < MR || n < NR || k < SMALL_DEPTH) {
    gemmSimple(m, n, k, a, b, c, cOff);
    return;
  }
  const rowMajorA = a.colStride === 1 && a.data instanceof Float64Array;
  // One B sliver: packing A for the SIMD kernel costs more than it saves.
  const kernel = n <= NR && rowMajorA ? undefined : simdKernel(m * n * k);
  if (kernel) {
    gemmSimd(kernel, m, n, k, a, b, c, cOff);
    return;
  }
  if (n <= THIN_N && rowMajorA) {
    gemmThin(m, n, k, { ...a, data: a.data as Float64Array }, b, c, cOff);
    return;
  }
  const ncMax = Math.min(NC, roundUp(n, NR));
  if (packedB.length < KC * ncMax) packedB = new Float64Array(KC * ncMax);
  const pa = packedA,
    pb = packedB;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, MR, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bOff = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, pa, ir * kc, pb, bOff, c, cOff + (ic + ir) * n + jc + jr, n, mr, nr);
          }
        }
      }
    }
  }
}

/**
 * {@link gemm}'s loop nest around the WebAssembly macro-kernel: B panels and
 * A blocks are packed into the module's memory, the macro-kernel stores each
 * tile's sum over one depth block in a C block, and that block is added into
 * C here (the scalar kernel's `c += acc`, in the same order).
 */
function gemmSimd(
  kernel: SimdGemm,
  m: number,
  n: number,
  k: number,
  a: StridedMatrix,
  b: StridedMatrix,
  c: Float64Array,
  cOff: number,
): void {
  const rows = kernel.blockRows;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ldc = roundUp(nc, NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, pc, kc, jc, nc, kernel.b);
      kernel.runPanel({
        kc,
        nTiles: ldc / NR,
        ldcBytes: 8 * ldc,
        blocks: Math.ceil(m / rows),
        pack: (s, buffer) => {
          const mc = Math.min(rows, m - s * rows);
          packA(a, s * rows, mc, pc, kc, SIMD_MR, buffer);
          return Math.ceil(mc / SIMD_MR);
        },
        add: (s, block) =>
          addBlock(block, ldc, Math.min(rows, m - s * rows), nc, c, cOff + s * rows * n + jc, n),
      });
    }
  }
}

/** `c[cOff + i*ldc + j] += block[i*blockLd + j]` for `i < rows`, `j < cols`. */
function addBlock(
  block: Float64Array,
  blockLd: number,
  rows: number,
  cols: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
): void {
  for (let i = 0; i < rows; i++) {
    const src = i * blockLd,
      dst = cOff + i * ldc;
    for (let j = 0; j < cols; j++) c[dst + j] += block[src + j];
  }
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/**
 * Packs rows `ic..ic+mc` x columns `pc..pc+kc` of A into slivers of `width`
 * rows: sliver s holds `out[s*width*kc + p*width + ii] = A(ic + s*width + ii, pc + p)`,
 * zero-padded past row mc.
 */
function packA(
  a: StridedMatrix,
  ic: number,
  mc: number,
  pc: number,
  kc: number,
  width: number,
  out: Float64Array,
): void {
  const start = a.offset + ic * a.rowStride + pc * a.colStride;
  packSlivers(a.data, start, a.rowStride, a.colStride, mc, kc, width, out);
}

/**
 * Packs rows `pc..pc+kc` x columns `jc..jc+nc` of B into NR-column slivers:
 * sliver s holds `out[s*kc + p*NR + jj] = B(pc + p, jc + s + jj)` (s a
 * multiple of NR), zero-padded past column nc.
 */
function packB(
  b: StridedMatrix,
  pc: number,
  kc: number,
  jc: number,
  nc: number,
  out: Float64Array,
): void {
  const start = b.offset + pc * b.rowStride + jc * b.colStride;
  packSlivers(b.data, start, b.colStride, b.rowStride, nc, kc, NR, out);
}

/**
 * The packing loop of {@link packA} (lines = rows of A) and {@link packB}
 * (lines = columns of B): `lines` lines of depth `kc`, line `l` starting at
 * `data[start + l * lineStride]` and stepping `depthStride`, interleaved in
 * slivers of `width` lines: `out[s*kc + p*width + w] = line (s + w), entry p`
 * for each multiple s of width, zero-padded past the last line.
 */
function packSlivers(
  data: HostArray,
  start: number,
  lineStride: number,
  depthStride: number,
  lines: number,
  kc: number,
  width: number,
  out: Float64Array,
): void {
  for (let s = 0; s < lines; s += width) {
    const used = Math.min(width, lines - s);
    const base = s * kc;
    for (let w = 0; w < width; w++) {
      if (w < used) {
        let src = start + (s + w) * lineStride;
        for (let p = 0, dst = base + w; p < kc; p++, dst += width, src += depthStride)
          out[dst] = data[src];
      } else {
        for (let p = 0, dst = base + w; p < kc; p++, dst += width) out[dst] = 0;
      }
    }
  }
}

/**
 * The 3 x 4 register tile: 12 accumulators live in locals through `kc` rank-1
 * updates read unit-stride from the packed slivers (B one value at a time),
 * then `mr x nr` of them are added into C (edge tiles are zero-padded in the
 * packs). The offsets of A's three rows are constants here;
 * {@link microKernelRows}, the same tile over rows of A read in place, takes
 * them as arguments. One kernel for both (a depth step and row offsets as
 * arguments) made the large products 3-12% slower (`[4096, 256] x
 * [256, 256]^T`: 88 -> 100 ms, old and new in one process), hence two copies.
 */
// prettier-ignore
function microKernel(
  kc: number,
  pa: Float64Array, ia: number,
  pb: Float64Array, ib: number,
  c: Float64Array, ic: number, ldc: number,
  mr: number, nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let p = 0; p < kc; p++, ia += 3, ib += 4) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2];
    let b = pb[ib]; c00 += a0 * b; c10 += a1 * b; c20 += a2 * b;
    b = pb[ib + 1]; c01 += a0 * b; c11 += a1 * b; c21 += a2 * b;
    b = pb[ib + 2]; c02 += a0 * b; c12 += a1 * b; c22 += a2 * b;
    b = pb[ib + 3]; c03 += a0 * b; c13 += a1 * b; c23 += a2 * b;
  }
  if (mr === 3 && nr === 4) {
    c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
    ic += ldc;
    c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12; c[ic + 3] += c13;
    ic += ldc;
    c[ic] += c20; c[ic + 1] += c21; c[ic + 2] += c22; c[ic + 3] += c23;
    return;
  }
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) c[ic + i * ldc + j] += tile[i * 4 + j];
  }
}
const edgeTile = new Float64Array(MR * NR);

/**
 * {@link microKernel} over three rows of A read in place: row i of the tile
 * starts at `a[ia + d_i]` (`d_0 = 0`) and runs unit-stride; an edge tile
 * repeats A's last row (its sums are not stored).
 */
// prettier-ignore
function microKernelRows(
  kc: number,
  a: Float64Array, ia: number, d1: number, d2: number,
  pb: Float64Array, ib: number,
  c: Float64Array, ic: number, ldc: number,
  mr: number, nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let p = 0; p < kc; p++, ia++, ib += 4) {
    const a0 = a[ia], a1 = a[ia + d1], a2 = a[ia + d2];
    let b = pb[ib]; c00 += a0 * b; c10 += a1 * b; c20 += a2 * b;
    b = pb[ib + 1]; c01 += a0 * b; c11 += a1 * b; c21 += a2 * b;
    b = pb[ib + 2]; c02 += a0 * b; c12 += a1 * b; c22 += a2 * b;
    b = pb[ib + 3]; c03 += a0 * b; c13 += a1 * b; c23 += a2 * b;
  }
  if (mr === 3 && nr === 4) {
    c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
    ic += ldc;
    c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12; c[ic + 3] += c13;
    ic += ldc;
    c[ic] += c20; c[ic + 1] += c21; c[ic + 2] += c22; c[ic + 3] += c23;
    return;
  }
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) c[ic + i * ldc + j] += tile[i * 4 + j];
  }
}

/**
 * `C += A B` for a thin B (at most {@link THIN_N} columns) and a row-major A
 * (float64, `colStride` 1): B is packed per depth block as in {@link gemm},
 * A is read in place, three rows at a time, by {@link microKernelRows}; the
 * three row segments (`3 x KC` float64, 6 KiB) stay in L1 across all of B's
 * slivers.
 */
function gemmThin(
  m: number,
  n: number,
  k: number,
  a: StridedMatrix & { readonly data: Float64Array },
  b: StridedMatrix,
  c: Float64Array,
  cOff: number,
): void {
  const ncMax = roundUp(n, NR);
  if (packedB.length < KC * ncMax) packedB = new Float64Array(KC * ncMax);
  const pb = packedB;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc);
    packB(b, pc, kc, 0, n, pb);
    for (let ir = 0; ir < m; ir += MR) {
      const mr = Math.min(MR, m - ir);
      const row = a.offset + ir * a.rowStride + pc;
      // rows past the last one repeat it; their sums are not stored
      const step = (i: number) => (i < mr ? i : mr - 1) * a.rowStride;
      for (let jr = 0; jr < n; jr += NR) {
        const nr = Math.min(NR, n - jr);
        microKernelRows(
          kc,
          a.data,
          row,
          step(1),
          step(2),
          pb,
          jr * kc,
          c,
          cOff + ir * n + jr,
          n,
          mr,
          nr,
        );
      }
    }
  }
}

/**
 * `C += A B` as `m x n` dot products when A's rows and B's columns are both
 * unit-stride along the depth (`A B^T` of row-major matrices, e.g. the Gram
 * products of `hessian`'s adjoint cuts: `[2, 262144] x [2, 262144]^T`).
 * The depth is cut into blocks of {@link DOT_BLOCK} so each row is read from
 * memory once for all pairs, and each dot keeps four partial sums: one
 * running sum is bound by the latency of floating-point addition, not by
 * memory.
 */
function gemmDots(
  m: number,
  n: number,
  k: number,
  a: StridedMatrix,
  b: StridedMatrix,
  c: Float64Array,
  cOff: number,
): void {
  const { data: ad, offset: ao, rowStride: ars } = a;
  const { data: bd, offset: bo, colStride: bcs } = b;
  for (let p0 = 0; p0 < k; p0 += DOT_BLOCK) {
    const p1 = Math.min(k, p0 + DOT_BLOCK);
    const p4 = p0 + ((p1 - p0) & ~3);
    for (let i = 0; i < m; i++) {
      const ai = ao + i * ars;
      for (let j = 0; j < n; j++) {
        const bj = bo + j * bcs;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let p = p0;
        for (; p < p4; p += 4) {
          s0 += ad[ai + p] * bd[bj + p];
          s1 += ad[ai + p + 1] * bd[bj + p + 1];
          s2 += ad[ai + p + 2] * bd[bj + p + 2];
          s3 += ad[ai + p + 3] * bd[bj + p + 3];
        }
        for (; p < p1; p++) s0 += ad[ai + p] * bd[bj + p];
        c[cOff + i * n + j] += s0 + s1 + (s2 + s3);
      }
    }
  }
}

/** Unblocked loops for small, skinny or shallow products. */
function gemmSimple(
  m: number,
  n: number,
  k: number,
  a: StridedMatrix,
  b: StridedMatrix,
  c: Float64Array,
  cOff: number,
): void {
  const { data: ad, offset: ao, rowStride: ars, colStride: acs } = a;
  const { data: bd, offset: bo, rowStride: brs, colStride: bcs } = b;
  if (acs === 1 && brs === 1 && bcs !== 1) {
    gemmDots(m, n, k, a, b, c, cOff);
    return;
  }
  // Rows of C as axpys over rows of B when those are contiguous and long enough;
  // otherwise dot products (matrix-vector `n = 1` reads A's rows unit-stride).
  if (bcs === 1 && (n >= NR || acs !== 1)) {
    // c[i, :] += a[i, p] * b[p, :]
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * n;
      for (let p = 0; p < k; p++) {
        const aip = ad[ao + i * ars + p * acs];
        const bp = bo + p * brs;
        for (let j = 0; j < n; j++) c[ci + j] += aip * bd[bp + j];
      }
    }
  } else {
    // c[i, j] += dot(a[i, :], b[:, j])
    for (let i = 0; i < m; i++) {
      const ai = ao + i * ars;
      for (let j = 0; j < n; j++) {
        const bj = bo + j * bcs;
        let s = 0;
        for (let p = 0; p < k; p++) s += ad[ai + p * acs] * bd[bj + p * brs];
        c[cOff + i * n + j] += s;
      }
    }
  }
}

/** Shapes of one batched product, already validated. */
export interface MatmulGeometry {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** Offsets (in matrices) of a and b for each output batch entry. */
  readonly aBatchIndex: readonly number[];
  readonly bBatchIndex: readonly number[];
}

/**
 * Batched `out[b] = op(A[aBatchIndex[b]]) op(B[bBatchIndex[b]])` where `op`
 * transposes the last two axes when asked. `out` is zero on entry. float32
 * outputs are accumulated in float64 and rounded once, in `accumulator`
 * when given (zeroed, `out.length` long: the backend passes a pooled buffer)
 * or in a new array.
 */
export function matmulImpl(
  a: HostArray,
  b: HostArray,
  g: MatmulGeometry,
  out: HostArray,
  accumulator?: Float64Array,
): void {
  const { m, n, k, transposeA, transposeB } = g;
  const batches = g.aBatchIndex.length;
  const aSize = m * k,
    bSize = k * n;
  // Stored A is [m,k], or [k,m] when transposed; stored B is [k,n], or [n,k].
  const aRow = transposeA ? 1 : k,
    aCol = transposeA ? m : 1;
  const bRow = transposeB ? 1 : n,
    bCol = transposeB ? k : 1;
  const c = out instanceof Float64Array ? out : (accumulator ?? new Float64Array(out.length));
  // One shared untransposed B under consecutive A matrices: a single tall product.
  const sharedB = g.bBatchIndex.every((x) => x === g.bBatchIndex[0]);
  const consecutiveA = g.aBatchIndex.every((x, i) => x === i);
  if (batches > 1 && sharedB && consecutiveA && !transposeA) {
    const bm: StridedMatrix = {
      data: b,
      offset: g.bBatchIndex[0] * bSize,
      rowStride: bRow,
      colStride: bCol,
    };
    gemm(batches * m, n, k, { data: a, offset: 0, rowStride: aRow, colStride: aCol }, bm, c, 0);
  } else {
    for (let t = 0; t < batches; t++) {
      gemm(
        m,
        n,
        k,
        { data: a, offset: g.aBatchIndex[t] * aSize, rowStride: aRow, colStride: aCol },
        { data: b, offset: g.bBatchIndex[t] * bSize, rowStride: bRow, colStride: bCol },
        c,
        t * m * n,
      );
    }
  }
  if (c !== out) out.set(c);
}
