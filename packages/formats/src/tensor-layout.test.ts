import fc from 'fast-check';
import {
  FormatError,
  allocateTensorData,
  decodeTensorChunk,
  finishTensorData,
  npyHeaderEnd,
  parseNpy,
  parseNpyHeader,
  parseSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderEnd,
  serializeNpy,
  serializeSafetensors,
  type TensorLayout,
} from './index';

/** Decodes a file's data piece by piece, as a caller with positioned reads does. */
function readInPieces(file: Uint8Array, layout: TensorLayout, piece: number) {
  const out = allocateTensorData(layout);
  const step = Math.max(1, piece) * layout.element.bytes;
  for (let at = 0; at < layout.byteLength; at += step) {
    const start = layout.dataOffset + at;
    const chunk = file.slice(start, Math.min(start + step, layout.dataOffset + layout.byteLength));
    decodeTensorChunk(layout, chunk, out, at / layout.element.bytes);
  }
  return finishTensorData(layout, out);
}

const arrays = fc
  .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5 }))
  .chain(([rows, cols]) =>
    fc.record({
      shape: fc.constant([rows, cols]),
      data: fc.array(fc.double({ noNaN: true }), {
        minLength: rows * cols,
        maxLength: rows * cols,
      }),
      dtype: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
      piece: fc.integer({ min: 1, max: 7 }),
    }),
  );

describe('header parsers with chunked decoding', () => {
  it('npy: the header from its first bytes plus pieces of data equal parseNpy', () => {
    fc.assert(
      fc.property(arrays, ({ shape, data, dtype, piece }) => {
        const file = serializeNpy({ dtype, shape, data });
        const end = npyHeaderEnd(file.slice(0, 12));
        const layout = parseNpyHeader(file.slice(0, end), file.length);
        expect(layout).toMatchObject({ dtype, shape, count: data.length, dataOffset: end });
        expect(readInPieces(file, layout, piece)).toEqual(parseNpy(file).data);
      }),
    );
  });

  it('safetensors: the header from its first bytes plus pieces of one tensor equal parseSafetensors', () => {
    fc.assert(
      fc.property(arrays, ({ shape, data, piece }) => {
        const file = serializeSafetensors({
          a: { dtype: 'F32', shape: [2], data: [1, 2] },
          b: { dtype: 'F64', shape, data },
        });
        const end = safetensorsHeaderEnd(file.slice(0, 8), file.length);
        const layout = parseSafetensorsHeader(file.slice(0, end), file.length);
        expect(Object.keys(layout.tensors).sort()).toEqual(['a', 'b']);
        expect(readInPieces(file, layout.tensors.b, piece)).toEqual(
          parseSafetensors(file).tensors.b.data,
        );
      }),
    );
  });

  it('reports errors found in a piece at their offset in the file', () => {
    const file = serializeNpy({ dtype: 'float64', shape: [3], data: [0, 0, 0] });
    const end = npyHeaderEnd(file);
    const header = new TextDecoder().decode(file.slice(10, end)).replace("'<f8'", "'<i8'");
    const bad = file.slice();
    bad.set(new TextEncoder().encode(header), 10);
    new DataView(bad.buffer).setBigInt64(end + 16, 2n ** 60n, true);
    const layout = parseNpyHeader(bad, bad.length);
    const out = allocateTensorData(layout);
    expect(() => decodeTensorChunk(layout, bad.slice(end + 16), out, 2)).toThrow(
      new FormatError(
        '64-bit integer 1152921504606846976 is outside +-2^53 and cannot be held exactly as a double; convert the tensor to float64 before saving',
        end + 16,
      ),
    );
  });

  it('checks the file length the caller gives against the header', () => {
    const file = serializeNpy({ dtype: 'float64', shape: [4], data: [1, 2, 3, 4] });
    const head = file.slice(0, npyHeaderEnd(file));
    expect(() => parseNpyHeader(head, file.length - 8)).toThrow(/npy file is truncated/);
    expect(() => parseNpyHeader(head, file.length + 8)).toThrow(/8 unexpected bytes/);
    expect(() => parseNpyHeader(head.slice(0, 40), file.length)).toThrow(/truncated: the header/);
    const st = serializeSafetensors({ x: { dtype: 'F64', shape: [1], data: [1] } });
    expect(() => safetensorsHeaderEnd(st, 2 ** 40)).not.toThrow();
    expect(() => parseSafetensorsHeader(st.slice(0, 12), st.length)).toThrow(/not passed whole/);
  });
});
