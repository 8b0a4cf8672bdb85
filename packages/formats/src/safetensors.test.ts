import fc from 'fast-check';
import { FormatError, parseSafetensors, serializeSafetensors } from './index';
import { expectFormatError } from './format-error.test-utils';

/**
 * Builds safetensors bytes by the spec: u64 little-endian header length N,
 * N bytes of JSON padded with spaces to a multiple of 8, then the buffer.
 */
function specFile(headerJson: string, buffer: Uint8Array): Uint8Array {
  const padded = headerJson.padEnd(Math.ceil(headerJson.length / 8) * 8, ' ');
  const out = new Uint8Array(8 + padded.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded.length), true);
  out.set(Buffer.from(padded, 'utf8'), 8);
  out.set(buffer, 8 + padded.length);
  return out;
}

function littleEndian(kind: 'f32' | 'f64', values: number[]): Uint8Array {
  const size = kind === 'f32' ? 4 : 8;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, k) =>
    kind === 'f32' ? view.setFloat32(4 * k, v, true) : view.setFloat64(8 * k, v, true),
  );
  return out;
}

// What the reference implementation writes for
// save_file({"weight": torch.tensor([[1., 2.], [3., 4.]])}, f, metadata={"format": "pt"}):
// metadata first, compact JSON, header padded to 8 bytes (80 + 0 here).
const REFERENCE_JSON =
  '{"__metadata__":{"format":"pt"},"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
const reference = specFile(REFERENCE_JSON, littleEndian('f32', [1, 2, 3, 4]));

describe('serializeSafetensors / parseSafetensors', () => {
  it('writes the layout of the reference implementation', () => {
    const bytes = serializeSafetensors(
      { weight: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] } },
      { format: 'pt' },
    );
    expect(bytes).toEqual(reference);
    expect(parseSafetensors(reference)).toEqual({
      tensors: { weight: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } },
      metadata: { format: 'pt' },
    });
  });

  it('reads from a view that does not start at the beginning of its buffer', () => {
    const shifted = new Uint8Array(reference.length + 5);
    shifted.set(reference, 5);
    expect(parseSafetensors(shifted.subarray(5))).toEqual(parseSafetensors(reference));
  });

  it('orders tensors by dtype size (largest first) then name, and pads with spaces', () => {
    const bytes = serializeSafetensors({
      b: { dtype: 'F32', shape: [1], data: [1] },
      c: { dtype: 'F64', shape: [], data: [2] },
      a: { dtype: 'F32', shape: [0], data: [] },
      '10': { dtype: 'F64', shape: [1], data: [3] },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const json = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    const want =
      '{"10":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"c":{"dtype":"F64","shape":[],"data_offsets":[8,16]},' +
      '"a":{"dtype":"F32","shape":[0],"data_offsets":[16,16]},' +
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}';
    expect(json.trimEnd()).toBe(want);
    expect(n - want.length).toBeLessThan(8);
    const file = parseSafetensors(bytes);
    expect(file.tensors.c).toEqual({ dtype: 'F64', shape: [], data: Float64Array.of(2) });
    expect(file.tensors.a.data).toEqual(new Float32Array(0));
    expect(file.metadata).toEqual({});
  });

  it('round-trips any set of F32/F64 tensors and metadata', () => {
    const tensorArb = fc
      .record({
        dtype: fc.constantFrom('F32' as const, 'F64' as const),
        shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      })
      .chain(({ dtype, shape }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc
          .array(fc.double(), { minLength: n, maxLength: n })
          .map((data) => ({ dtype, shape, data }));
      });
    const nameArb = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s !== '__metadata__');
    fc.assert(
      fc.property(
        fc.dictionary(nameArb, tensorArb, { maxKeys: 4 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
        (tensors, metadata) => {
          const bytes = serializeSafetensors(tensors, metadata);
          const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
          expect(n % 8).toBe(0);
          const file = parseSafetensors(bytes);
          expect(file.metadata).toEqual({ ...metadata });
          expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [name, t] of Object.entries(tensors)) {
            const back = file.tensors[name];
            expect(back.dtype).toBe(t.dtype);
            expect(back.shape).toEqual(t.shape);
            expect(back.data).toEqual(
              t.dtype === 'F32' ? Float32Array.from(t.data) : Float64Array.from(t.data),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads F16, BF16, I32, I64, U8 and BOOL into Float64Array', () => {
    const buffer = new Uint8Array(4 + 4 + 8 + 16 + 2 + 2);
    const v = new DataView(buffer.buffer);
    v.setUint16(0, 0x3c00, true); // f16 1
    v.setUint16(2, 0xc500, true); // f16 -5
    v.setUint16(4, 0x3f80, true); // bf16 1
    v.setUint16(6, 0xc0a0, true); // bf16 -5
    v.setInt32(8, -7, true);
    v.setInt32(12, 2 ** 31 - 1, true);
    v.setBigInt64(16, -(2n ** 40n), true);
    v.setBigInt64(24, 12n, true);
    buffer.set([0, 255, 1, 0], 32);
    const json = JSON.stringify({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
      i: { dtype: 'I32', shape: [2], data_offsets: [8, 16] },
      l: { dtype: 'I64', shape: [2, 1], data_offsets: [16, 32] },
      u: { dtype: 'U8', shape: [2], data_offsets: [32, 34] },
      t: { dtype: 'BOOL', shape: [2], data_offsets: [34, 36] },
    });
    const { tensors } = parseSafetensors(specFile(json, buffer));
    expect(tensors.h).toEqual({ dtype: 'F16', shape: [2], data: Float64Array.of(1, -5) });
    expect(tensors.b.data).toEqual(Float64Array.of(1, -5));
    expect(tensors.i.data).toEqual(Float64Array.of(-7, 2 ** 31 - 1));
    expect(tensors.l).toEqual({
      dtype: 'I64',
      shape: [2, 1],
      data: Float64Array.of(-(2 ** 40), 12),
    });
    expect(tensors.u.data).toEqual(Float64Array.of(0, 255));
    expect(tensors.t.data).toEqual(Float64Array.of(1, 0));
  });
});

describe('parseSafetensors errors', () => {
  const tensor = (dtype: string, shape: number[], offsets: number[]) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });
  const two = (a: number[], b: number[], bufferLength = 16) =>
    specFile(
      JSON.stringify({ x: tensor('F32', [2], a), y: tensor('F32', [2], b) }),
      new Uint8Array(bufferLength),
    );

  it('gives a FormatError (never a crash or a tensor) when truncated at any byte', () => {
    for (let cut = 0; cut < reference.length; cut++) {
      const e = expectFormatError(() => parseSafetensors(reference.subarray(0, cut)));
      expect(e.offset).toBeLessThanOrEqual(cut);
    }
  });

  it('never throws anything but FormatError on garbled bytes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ at: fc.nat({ max: reference.length - 1 }), value: fc.nat({ max: 255 }) }),
          { minLength: 1, maxLength: 4 },
        ),
        (edits) => {
          const bytes = reference.slice();
          for (const { at, value } of edits) bytes[at] = value;
          try {
            const file = parseSafetensors(bytes);
            for (const t of Object.values(file.tensors)) {
              expect(t.data.length).toBe(t.shape.reduce((x, y) => x * y, 1));
            }
          } catch (e) {
            expect(e).toBeInstanceOf(FormatError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checks that data_offsets tile the buffer', () => {
    expect(Object.keys(parseSafetensors(two([8, 16], [0, 8])).tensors)).toEqual(['y', 'x']);
    expectFormatError(
      () => parseSafetensors(two([0, 8], [12, 20], 20)),
      /starts at buffer offset 12 but the previous tensor ends at 8/,
    );
    expectFormatError(() => parseSafetensors(two([0, 8], [4, 12])), /starts at buffer offset 4/);
    expectFormatError(
      () => parseSafetensors(two([0, 8], [8, 20], 20)),
      /spans 12 bytes but F32 shape \[2\] needs 8/,
    );
    expectFormatError(
      () => parseSafetensors(two([0, 8], [8, 16], 12)),
      /ends past the 12-byte data buffer/,
    );
    expectFormatError(
      () => parseSafetensors(two([0, 8], [8, 16], 20)),
      /4 bytes after the last tensor/,
    );
    expectFormatError(() => parseSafetensors(two([0, 8], [16, 8])), /0 <= begin <= end/);
    expectFormatError(() => parseSafetensors(two([0, 8], [-8, 0])), /0 <= begin <= end/);
  });

  it('reports the byte offset of the data problem', () => {
    const bytes = two([0, 8], [8, 16], 12);
    const headerLength = bytes.length - 8 - 12;
    const e = expectFormatError(() => parseSafetensors(bytes));
    expect(e.offset).toBe(8 + headerLength + 12);
    expect(e.message).toMatch(new RegExp(`^at byte ${8 + headerLength + 12}: `));
  });

  it('rejects bad headers with a reason', () => {
    const withHeader = (json: string) => specFile(json, new Uint8Array(0));
    expectFormatError(() => parseSafetensors(withHeader('[1, 2]')), /does not start with '\{'/);
    expectFormatError(
      () => parseSafetensors(withHeader('{"x": ')),
      /^at byte \d+: safetensors header is not valid JSON/,
    );
    expectFormatError(
      () => parseSafetensors(withHeader('{"x": 3}')),
      /tensor 'x' is not a JSON object/,
    );
    expectFormatError(
      () => parseSafetensors(withHeader(JSON.stringify({ x: tensor('F8_E4M3', [0], [0, 0]) }))),
      /unsupported dtype "F8_E4M3" \(supported: F64, F32/,
    );
    expectFormatError(
      () => parseSafetensors(withHeader(JSON.stringify({ x: tensor('F32', [1.5], [0, 0]) }))),
      /shape \[1\.5\] is not a list of non-negative integers/,
    );
    expectFormatError(
      () => parseSafetensors(withHeader(JSON.stringify({ __metadata__: { a: 1 } }))),
      /__metadata__ must map strings to strings/,
    );
    const long = reference.slice();
    new DataView(long.buffer).setBigUint64(0, 2n ** 40n, true);
    expectFormatError(
      () => parseSafetensors(long),
      /^at byte 0: safetensors header length 1099511627776 \(bytes 0-7\) exceeds the 100000000-byte limit/,
    );
    const bad = reference.slice();
    bad[20] = 0xff;
    expectFormatError(() => parseSafetensors(bad), /not valid UTF-8/);
  });

  it('keeps a tensor named __proto__ as an ordinary entry', () => {
    const bytes = serializeSafetensors({
      ['__proto__']: { dtype: 'F64', shape: [1], data: [4] },
    } as never);
    const file = parseSafetensors(bytes);
    expect(Object.getOwnPropertyNames(file.tensors)).toEqual(['__proto__']);
  });

  it('refuses to write reserved names, unwritable dtypes, mismatched data, non-string metadata', () => {
    expectFormatError(
      () => serializeSafetensors({ __metadata__: { dtype: 'F32', shape: [], data: [1] } }),
      /reserved/,
    );
    expectFormatError(
      () => serializeSafetensors({ x: { dtype: 'F16' as 'F32', shape: [], data: [1] } }),
      /'F32' or 'F64'/,
    );
    expectFormatError(
      () => serializeSafetensors({ x: { dtype: 'F32', shape: [3], data: [1] } }),
      /needs 3/,
    );
    expectFormatError(
      () => serializeSafetensors({}, { step: 3 as unknown as string }),
      /metadata values must be strings/,
    );
  });
});
