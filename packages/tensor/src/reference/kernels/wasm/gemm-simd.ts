/**
 * The packed GEMM's inner loops (the BLIS "macro-kernel") in WebAssembly
 * SIMD: for every 4-column sliver of a packed B panel and every 4-row sliver
 * of a packed A block, a 4 x 4 register tile of eight `f64x2` accumulators
 * takes `kc` rank-1 updates and is stored into a C block in the module's
 * memory. JavaScript packs the operands into that memory and adds the C block
 * into the product ({@link ../matmul}).
 *
 * Each accumulator starts at +0 and takes `acc + a * b` per depth step (a
 * rounded `f64x2.mul`, then a rounded `f64x2.add`: WebAssembly 2.0 has no
 * fused multiply-add), the scalar kernel's exact sequence of operations, so
 * both kernels give bit-identical products. Why 4 x 4: eight accumulators,
 * two B vectors and one broadcast A value fit x64's 16 vector registers; a
 * 6 x 4 tile spills (docs/perf/wasm-simd-matmul-ceiling.md).
 */
import { encodeModule, I32, op, V128, type FunctionSpec } from './encoder';

/** Rows of the SIMD micro-tile (A sliver height). */
export const SIMD_MR = 4;
/** Columns of the SIMD micro-tile (B sliver width). */
export const SIMD_NR = 4;

/**
 * Where the packed operands and the C blocks lie in the module's memory: one
 * B panel, and one or two A blocks with their C blocks (two let one thread
 * pack the next block and add the last one while others compute).
 */
export interface SimdLayout {
  /** Packed A blocks: `mc x kc` float64 each, in 4-row slivers. */
  readonly aOffsets: readonly number[];
  /** Packed B panel: `kc x nc` float64 in 4-column slivers. */
  readonly bOffset: number;
  /** C blocks: `roundUp(mc, 4)` rows of `roundUp(nc, 4)` float64 each. */
  readonly cOffsets: readonly number[];
  /** Bytes of one A block and of one C block. */
  readonly aBytes: number;
  readonly cBytes: number;
  /** Bytes needed in all, a whole number of 64 KiB pages. */
  readonly bytes: number;
}

const PAGE = 65536;

/**
 * A layout for `buffers` A blocks of at most `mc x kc`, their C blocks, and
 * B panels of at most `kc x nc` (mc, nc multiples of 4).
 */
export function simdLayout(mc: number, kc: number, nc: number, buffers: 1 | 2 = 1): SimdLayout {
  const aBytes = 8 * mc * kc,
    cBytes = 8 * mc * nc;
  const bOffset = buffers * aBytes;
  const cStart = bOffset + 8 * kc * nc;
  const aOffsets = Array.from({ length: buffers }, (_, i) => i * aBytes);
  const cOffsets = Array.from({ length: buffers }, (_, i) => cStart + i * cBytes);
  const end = cStart + buffers * cBytes;
  return { aOffsets, bOffset, cOffsets, aBytes, cBytes, bytes: Math.ceil(end / PAGE) * PAGE };
}

// Parameters and locals of `macro` by index.
const KC = 0, // depth of the packed block
  M_TILES = 1, // 4-row slivers of A
  N_TILES = 2, // 4-column slivers of B
  PA = 3, // byte address of the packed A block
  PB = 4, // byte address of the packed B panel
  PC = 5, // byte address of the C block
  LDC = 6, // bytes per C block row
  JR = 7, // B slivers left
  IR = 8, // A slivers left
  A = 9, // current A element
  B = 10, // current B element
  P = 11, // depth steps left
  B_SLIVER = 12, // current B sliver
  C_COLUMN = 13, // C block column of the current B sliver
  C_TILE = 14, // C tile of the current (A, B) sliver pair
  A_SLIVER = 15, // current A sliver
  ACC = 16, // 8 accumulators: row i, columns 0-1 at ACC + 2i, columns 2-3 at ACC + 2i + 1
  B01 = ACC + 8,
  B23 = B01 + 1,
  AV = B23 + 1;

/** `to = from` between locals. */
function copyLocal(from: number, to: number): number[] {
  return [...op.localGet(from), ...op.localSet(to)];
}

/** `local = local + delta` (delta an i32 local or constant bytes). */
function addTo(local: number, delta: number[]): number[] {
  return [...op.localGet(local), ...delta, ...op.i32Add, ...op.localSet(local)];
}

/** `local -= 1; br_if depth (local != 0)`: the end of a counted loop. */
function countDown(local: number): number[] {
  return [
    ...op.localGet(local),
    ...op.i32Const(1),
    ...op.i32Sub,
    ...op.localTee(local),
    ...op.brIf(0),
    ...op.end,
  ];
}

/**
 * `macro(kc, mTiles, nTiles, pa, pb, pc, ldcBytes)`: C tile (ir, jr) at
 * `pc + 4 ir ldcBytes + 32 jr` = the sliver product over `kc`, for every
 * `jr < nTiles`, `ir < mTiles` (B sliver outer: it stays in L1 while the A
 * block streams from L2). All counts are >= 1.
 */
function macroKernel(): FunctionSpec {
  const sliverBytes = [...op.localGet(KC), ...op.i32Const(32), ...op.i32Mul]; // kc x 4 float64
  const depthStep: number[] = [
    ...op.localGet(B),
    ...op.v128Load(0),
    ...op.localSet(B01),
    ...op.localGet(B),
    ...op.v128Load(16),
    ...op.localSet(B23),
  ];
  for (let i = 0; i < SIMD_MR; i++) {
    depthStep.push(...op.localGet(A), ...op.v128Load64Splat(8 * i), ...op.localSet(AV));
    for (const [acc, b] of [
      [ACC + 2 * i, B01],
      [ACC + 2 * i + 1, B23],
    ]) {
      depthStep.push(
        ...op.localGet(acc),
        ...op.localGet(AV),
        ...op.localGet(b),
        ...op.f64x2Mul,
        ...op.f64x2Add,
        ...op.localSet(acc),
      );
    }
  }
  depthStep.push(...addTo(A, op.i32Const(32)), ...addTo(B, op.i32Const(32)));

  const storeTile: number[] = [];
  for (let i = 0; i < SIMD_MR; i++) {
    for (let half = 0; half < 2; half++) {
      storeTile.push(
        ...op.localGet(C_TILE),
        ...op.localGet(ACC + 2 * i + half),
        ...op.v128Store(16 * half),
      );
    }
    storeTile.push(...addTo(C_TILE, op.localGet(LDC)));
  }

  const zeroAccumulators: number[] = [];
  for (let idx = 0; idx < 2 * SIMD_MR; idx++)
    zeroAccumulators.push(...op.v128Zero, ...op.localSet(ACC + idx));

  const code = [
    ...copyLocal(PB, B_SLIVER),
    ...copyLocal(PC, C_COLUMN),
    ...copyLocal(N_TILES, JR),
    ...op.loop, // over B slivers
    ...copyLocal(PA, A_SLIVER),
    ...copyLocal(C_COLUMN, C_TILE),
    ...copyLocal(M_TILES, IR),
    ...op.loop, // over A slivers
    ...zeroAccumulators,
    ...copyLocal(A_SLIVER, A),
    ...copyLocal(B_SLIVER, B),
    ...copyLocal(KC, P),
    ...op.loop, // over the depth
    ...depthStep,
    ...countDown(P),
    ...storeTile, // leaves C_TILE one tile row down
    ...copyLocal(A, A_SLIVER), // the next A sliver follows this one
    ...countDown(IR),
    ...addTo(B_SLIVER, sliverBytes),
    ...addTo(C_COLUMN, op.i32Const(32)),
    ...countDown(JR),
  ];
  return {
    exportName: 'macro',
    params: [I32, I32, I32, I32, I32, I32, I32],
    locals: [
      [ACC - JR, I32],
      [AV + 1 - ACC, V128],
    ],
    code,
  };
}

/** The macro-kernel's signature. */
export type MacroKernel = (
  kc: number,
  mTiles: number,
  nTiles: number,
  pa: number,
  pb: number,
  pc: number,
  ldcBytes: number,
) => void;

/** The module's bytes: with its own memory of `bytes`, or importing a shared one of that size. */
export function simdGemmModuleBytes(bytes: number, shared: boolean): Uint8Array {
  return encodeModule({ pages: bytes / PAGE, shared }, [macroKernel()]);
}

/** 4-row slivers of A per macro-kernel call: 128 rows x KC float64 = 256 KiB, an L2-resident block. */
export const CHUNK_TILES = 32;

/**
 * The A blocks under one packed B panel, as {@link SimdGemm.runPanel} takes
 * them: block `s` is packed into an A buffer by `pack`, multiplied, and its
 * C block handed to `add`, in order `s = 0, 1, ...`.
 */
export interface PanelWork {
  /** Depth of the panel (at most KC). */
  readonly kc: number;
  /** 4-column slivers of the B panel. */
  readonly nTiles: number;
  /** Bytes per C block row. */
  readonly ldcBytes: number;
  /** A blocks under this panel. */
  readonly blocks: number;
  /** Packs A block `s` into `a`; returns its 4-row slivers. */
  pack(s: number, a: Float64Array): number;
  /** Adds C block `s` (in `c`) into the product. */
  add(s: number, c: Float64Array): void;
}

/**
 * A ready SIMD GEMM: a view of its B panel buffer and the macro-kernel over
 * the A blocks under a panel (on one thread, or shared by several in
 * {@link ./gemm-threads}).
 */
export interface SimdGemm {
  readonly layout: SimdLayout;
  /** Rows of A packed per block (an A buffer's capacity). */
  readonly blockRows: number;
  /** Threads that share the blocks' slivers. */
  readonly threads: number;
  /** The packed B panel. */
  readonly b: Float64Array;
  /** Runs every A block of `work` against the packed B panel. */
  runPanel(work: PanelWork): void;
  /** Releases its threads (a no-op on one thread). */
  close(): void;
}

/** Byte offsets of one A block and its C block, and the B panel. */
export interface BlockBuffers {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** `macro` over slivers `t0 <= t < t1` of one packed A block, {@link CHUNK_TILES} at a time. */
export function runTileRange(
  macro: MacroKernel,
  at: BlockBuffers,
  kc: number,
  t0: number,
  t1: number,
  nTiles: number,
  ldcBytes: number,
): void {
  for (let t = t0; t < t1; t += CHUNK_TILES) {
    macro(
      kc,
      Math.min(CHUNK_TILES, t1 - t),
      nTiles,
      at.a + t * 32 * kc,
      at.b,
      at.c + t * 4 * ldcBytes,
      ldcBytes,
    );
  }
}

/** Float64 views of a layout's buffers in `buffer`: A blocks, B panel, C blocks. */
export function layoutViews(
  buffer: ArrayBufferLike,
  layout: SimdLayout,
): { a: Float64Array[]; b: Float64Array; c: Float64Array[] } {
  const view = (offset: number, bytes: number) => new Float64Array(buffer, offset, bytes / 8);
  return {
    a: layout.aOffsets.map((o) => view(o, layout.aBytes)),
    b: view(layout.bOffset, layout.cOffsets[0] - layout.bOffset),
    c: layout.cOffsets.map((o) => view(o, layout.cBytes)),
  };
}

/** The buffers of A/C pair `i`. */
export function blockBuffers(layout: SimdLayout, i: number): BlockBuffers {
  return { a: layout.aOffsets[i], b: layout.bOffset, c: layout.cOffsets[i] };
}

/**
 * The part of the WebAssembly JavaScript API used here. Declared locally:
 * the TypeScript libraries this project compiles against (ES2022 and
 * `@types/node` 20) do not declare the `WebAssembly` global, and a host may
 * lack it.
 */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  };
}

/** The host's WebAssembly API, or `undefined` where there is none. */
export function webAssembly(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

/** An instantiated SIMD module: its macro-kernel, memory and bytes (for other threads). */
export interface SimdInstance {
  readonly macro: MacroKernel;
  readonly memory: { readonly buffer: ArrayBufferLike };
  readonly bytes: Uint8Array;
}

/**
 * Instantiates the SIMD module for `layout`, with its own memory or (shared)
 * with a new shared memory it imports, or returns `undefined` where
 * WebAssembly, its SIMD instructions or shared memory are missing (or
 * compiling code at run time is forbidden).
 */
export function instantiateSimdGemm(layout: SimdLayout, shared: boolean): SimdInstance | undefined {
  const wasm = webAssembly();
  if (!wasm || (shared && typeof SharedArrayBuffer !== 'function')) return undefined;
  const bytes = simdGemmModuleBytes(layout.bytes, shared);
  try {
    if (!wasm.validate(bytes)) return undefined;
    const pages = layout.bytes / PAGE;
    const imported = shared
      ? new wasm.Memory({ initial: pages, maximum: pages, shared: true })
      : undefined;
    const { exports } = new wasm.Instance(
      new wasm.Module(bytes),
      imported ? { env: { memory: imported } } : {},
    );
    const memory = imported ?? (exports.memory as { buffer: ArrayBuffer });
    return { macro: exports.macro as MacroKernel, memory, bytes };
  } catch {
    return undefined;
  }
}

/**
 * The SIMD kernel on one thread with its own memory, or `undefined` where it
 * cannot run ({@link instantiateSimdGemm}); the caller keeps the scalar
 * kernel then.
 */
export function createSimdGemm(layout: SimdLayout, blockRows: number): SimdGemm | undefined {
  const instance = instantiateSimdGemm(layout, false);
  if (!instance) return undefined;
  const { macro } = instance;
  const views = layoutViews(instance.memory.buffer, layout);
  const at = blockBuffers(layout, 0);
  return {
    layout,
    blockRows,
    threads: 1,
    b: views.b,
    runPanel: (work) => {
      for (let s = 0; s < work.blocks; s++) {
        const tiles = work.pack(s, views.a[0]);
        runTileRange(macro, at, work.kc, 0, tiles, work.nTiles, work.ldcBytes);
        work.add(s, views.c[0]);
      }
    },
    close: () => undefined,
  };
}
