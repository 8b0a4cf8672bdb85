import fc from 'fast-check';
import { encodeModule, I32, op, signedLeb, unsignedLeb, V128 } from './encoder';
import { webAssembly } from './gemm-simd';

/** Decodes LEB128 the way the specification defines it (7 bits a byte, low first). */
function decode(bytes: readonly number[], signed: boolean): number {
  let result = 0n,
    shift = 0n;
  for (const byte of bytes) {
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  }
  if (signed && (bytes[bytes.length - 1] & 0x40) !== 0) result -= 1n << shift;
  return Number(result);
}

describe('WebAssembly encoder', () => {
  it('writes LEB128 as in the specification examples', () => {
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(unsignedLeb(0)).toEqual([0]);
    expect(signedLeb(-1)).toEqual([0x7f]);
    expect(signedLeb(64)).toEqual([0xc0, 0x00]);
  });

  it('LEB128 round-trips every 32-bit value in the fewest bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const bytes = unsignedLeb(v);
        expect(decode(bytes, false)).toBe(v);
        expect(bytes.length).toBe(Math.max(1, Math.ceil(Math.log2(v + 1) / 7)));
        bytes.slice(0, -1).forEach((b) => expect(b & 0x80).toBe(0x80));
      }),
    );
    fc.assert(fc.property(fc.integer(), (v) => expect(decode(signedLeb(v), true)).toBe(v)));
  });

  it('a module it encodes validates and computes with f64x2 arithmetic', () => {
    // fma2(x, y): memory[x..x+16) = memory[x..) + memory[x..) * memory[y..), two float64 lanes
    const bytes = encodeModule({ pages: 1, shared: false }, [
      {
        exportName: 'fma2',
        params: [I32, I32],
        locals: [[1, V128]],
        code: [
          ...op.localGet(0), // the store's address
          ...op.localGet(0),
          ...op.v128Load(0),
          ...op.localTee(2),
          ...op.localGet(2),
          ...op.localGet(1),
          ...op.v128Load(0),
          ...op.f64x2Mul,
          ...op.f64x2Add,
          ...op.v128Store(0),
        ],
      },
    ]);
    const wasm = webAssembly();
    if (!wasm) throw new Error('this Node has no WebAssembly');
    expect(wasm.validate(bytes)).toBe(true);
    const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = new Float64Array((exports.memory as { buffer: ArrayBuffer }).buffer);
    expect(memory.length).toBe(65536 / 8);
    memory.set([3, -0.5, 10, 4], 8); // x at byte 64, y at byte 80
    (exports.fma2 as (x: number, y: number) => void)(64, 80);
    expect(Array.from(memory.subarray(8, 10))).toEqual([3 + 3 * 10, -0.5 + -0.5 * 4]);
  });
});
