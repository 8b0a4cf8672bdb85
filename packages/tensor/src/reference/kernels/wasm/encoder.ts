/**
 * A minimal WebAssembly binary encoder: just what the SIMD matmul kernel
 * ({@link ./gemm-simd}) needs to be assembled at load time from named
 * instructions.
 *
 * Written by hand rather than taken from a package because the maintained
 * assemblers (wabt's `wat2wasm`, binaryen) are multi-megabyte Emscripten
 * builds that initialise asynchronously, while the reference backend is
 * synchronous and dependency-free; the binary format itself is small and
 * frozen (WebAssembly Core Specification 2.0, section 5, "Binary Format";
 * SIMD opcodes from the fixed-width SIMD proposal, merged in 2.0).
 */

/** Unsigned LEB128 (section sizes, indices, alignments, offsets). */
export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (`i32.const` immediates). */
export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A vector: its length, then its items' bytes. */
export function vector(items: readonly (readonly number[])[]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** A UTF-8 name (ASCII here). */
export function name(text: string): number[] {
  return vector([...text].map((ch) => [ch.charCodeAt(0)]));
}

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** A section: id, byte size, contents. */
function section(id: number, contents: readonly number[]): number[] {
  return [id, ...unsignedLeb(contents.length), ...contents];
}

/** Alignment (log2 bytes) and offset of a memory access. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...unsignedLeb(alignLog2), ...unsignedLeb(offset)];
}

const SIMD = 0xfd;

/** The instructions the kernel uses, by their text-format names. */
export const op = {
  loop: [0x03, 0x40], // a loop with no result
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...unsignedLeb(depth)],
  localGet: (index: number) => [0x20, ...unsignedLeb(index)],
  localSet: (index: number) => [0x21, ...unsignedLeb(index)],
  localTee: (index: number) => [0x22, ...unsignedLeb(index)],
  i32Const: (value: number) => [0x41, ...signedLeb(value)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  v128Load: (offset: number) => [SIMD, ...unsignedLeb(0x00), ...memarg(3, offset)],
  v128Load64Splat: (offset: number) => [SIMD, ...unsignedLeb(0x0a), ...memarg(3, offset)],
  v128Store: (offset: number) => [SIMD, ...unsignedLeb(0x0b), ...memarg(3, offset)],
  v128Zero: [SIMD, ...unsignedLeb(0x0c), ...new Array<number>(16).fill(0)],
  f64x2Add: [SIMD, ...unsignedLeb(0xf0)],
  f64x2Mul: [SIMD, ...unsignedLeb(0xf2)],
} as const;

/** One function: its parameter types (no results) and extra locals, then its code. */
export interface FunctionSpec {
  readonly exportName: string;
  readonly params: readonly number[];
  /** Runs of locals after the parameters: `[count, type]`. */
  readonly locals: readonly (readonly [number, number])[];
  readonly code: readonly number[];
}

/** The memory the module declares: its own (exported as `memory`) or one imported as `env.memory`. */
export interface MemorySpec {
  readonly pages: number;
  /** Import a shared memory (`env.memory`, maximum = `pages`) instead of declaring one. */
  readonly shared: boolean;
}

/**
 * The bytes of a module with one memory and the given functions, each
 * exported under its name (and the memory as `memory` when the module owns it).
 */
export function encodeModule(memory: MemorySpec, functions: readonly FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector([])]);
  const limits = memory.shared
    ? [0x03, ...unsignedLeb(memory.pages), ...unsignedLeb(memory.pages)]
    : [0x00, ...unsignedLeb(memory.pages)];
  const imports = memory.shared ? [[...name('env'), ...name('memory'), 0x02, ...limits]] : [];
  const exported = functions.map((f, i) => [...name(f.exportName), 0x00, ...unsignedLeb(i)]);
  if (!memory.shared) exported.push([...name('memory'), 0x02, 0]);
  const bodies = functions.map((f) => {
    const body = [
      ...vector(f.locals.map(([n, t]) => [...unsignedLeb(n), t])),
      ...f.code,
      ...op.end,
    ];
    return [...unsignedLeb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d], // magic "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vector(types)),
    ...(imports.length > 0 ? section(2, vector(imports)) : []),
    ...section(3, vector(functions.map((_, i) => unsignedLeb(i)))),
    ...(memory.shared ? [] : section(5, vector([limits]))),
    ...section(7, vector(exported)),
    ...section(10, vector(bodies)),
  ]);
}
