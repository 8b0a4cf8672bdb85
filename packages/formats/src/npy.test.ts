import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FormatError, parseNpy, serializeNpy } from './index';
import { expectFormatError } from './format-error.test-utils';

const FIXTURES = join(__dirname, 'fixtures');
const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(FIXTURES, `${name}.npy`)));
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  { dtype: string; shape: number[]; values: (number | string)[] }
>;

/**
 * The bytes numpy.save writes for np.array([1., 2., 3.]), built from the
 * format spec: magic, version 1.0, header length 118 (uint16 LE), the dict
 * literal padded with spaces to 10 + 118 = 128 bytes (64-byte alignment) and
 * ending in '\n', then three little-endian float64 values.
 */
function specBytesForOneTwoThree(): Uint8Array {
  const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  const header = dict.padEnd(117, ' ') + '\n';
  const out = new Uint8Array(128 + 24);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, 118, 0]);
  out.set(Buffer.from(header, 'latin1'), 10);
  const view = new DataView(out.buffer);
  [1, 2, 3].forEach((v, k) => view.setFloat64(128 + 8 * k, v, true));
  return out;
}

describe('parseNpy on files written by numpy', () => {
  it.each(Object.keys(expected))('%s matches the values numpy reports', (name) => {
    const want = expected[name];
    const got = parseNpy(fixture(name));
    expect(got.dtype).toBe(want.dtype);
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.data)).toEqual(
      want.values.map((v) => (typeof v === 'string' ? Number(v) : v)),
    );
  });

  it('reads from a view that does not start at the beginning of its buffer', () => {
    const bytes = fixture('f8_fortran_3d');
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(parseNpy(shifted.subarray(3))).toEqual(parseNpy(bytes));
  });

  it('keeps float32 files as Float32Array and widens everything else to Float64Array', () => {
    expect(parseNpy(fixture('f4_matrix')).data).toBeInstanceOf(Float32Array);
    expect(parseNpy(fixture('f4_big_endian')).data).toBeInstanceOf(Float32Array);
    expect(parseNpy(fixture('f2_vector')).data).toBeInstanceOf(Float64Array);
    expect(parseNpy(fixture('i8_vector')).data).toBeInstanceOf(Float64Array);
  });
});

describe('serializeNpy', () => {
  it('writes the exact bytes the npy spec gives for np.array([1., 2., 3.])', () => {
    const spec = specBytesForOneTwoThree();
    expect(serializeNpy({ dtype: 'float64', shape: [3], data: [1, 2, 3] })).toEqual(spec);
    expect(parseNpy(spec)).toEqual({
      dtype: 'float64',
      shape: [3],
      data: Float64Array.of(1, 2, 3),
    });
  });

  it.each(['f8_vector', 'f8_scalar', 'f4_matrix', 'f8_empty'])(
    'is byte-identical to numpy.save for %s',
    (name) => {
      const bytes = fixture(name);
      expect(serializeNpy(parseNpy(bytes) as never)).toEqual(bytes);
    },
  );

  it('round-trips any shape and float dtype (values rounded to float32 for float32)', () => {
    const arrayArb = fc
      .record({
        dtype: fc.constantFrom('float32' as const, 'float64' as const),
        shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
      })
      .chain(({ dtype, shape }) =>
        fc
          .array(fc.double({ noNaN: false }), {
            minLength: shape.reduce((a, b) => a * b, 1),
            maxLength: shape.reduce((a, b) => a * b, 1),
          })
          .map((data) => ({ dtype, shape, data })),
      );
    fc.assert(
      fc.property(arrayArb, (a) => {
        const bytes = serializeNpy(a);
        expect(bytes.length % 64).toBe((a.data.length * (a.dtype === 'float32' ? 4 : 8)) % 64);
        const back = parseNpy(bytes);
        expect(back.dtype).toBe(a.dtype);
        expect(back.shape).toEqual(a.shape);
        const want = a.dtype === 'float32' ? Float32Array.from(a.data) : Float64Array.from(a.data);
        expect(back.data).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects data that does not match the shape, and unwritable dtypes', () => {
    expectFormatError(
      () => serializeNpy({ dtype: 'float64', shape: [2, 2], data: [1, 2, 3] }),
      /needs 4/,
    );
    expectFormatError(
      () => serializeNpy({ dtype: 'float64', shape: [-1], data: [] }),
      /non-negative/,
    );
    expectFormatError(
      () => serializeNpy({ dtype: 'int32' as 'float64', shape: [1], data: [1] }),
      /float32' or 'float64/,
    );
  });
});

describe('parseNpy errors', () => {
  const good = specBytesForOneTwoThree();

  it('gives a FormatError (never a crash or a tensor) when truncated at any byte', () => {
    for (const name of ['f8_vector', 'f8_fortran_3d', 'f8_v2', 'f8_v3', 'i8_vector']) {
      const bytes = fixture(name);
      for (let cut = 0; cut < bytes.length; cut++) {
        const e = expectFormatError(() => parseNpy(bytes.subarray(0, cut)));
        expect(e.offset).toBeLessThanOrEqual(cut);
      }
    }
  });

  it('never throws anything but FormatError on garbled bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: good.length - 1 }), value: fc.nat({ max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = good.slice();
          for (const { at, value } of edits) bytes[at] = value;
          try {
            const a = parseNpy(bytes);
            expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
          } catch (e) {
            expect(e).toBeInstanceOf(FormatError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the problem and the byte offset', () => {
    const withHeader = (dict: string): Uint8Array => {
      const header = dict.padEnd(117, ' ') + '\n';
      const out = good.slice();
      out.set(Buffer.from(header, 'latin1'), 10);
      return out;
    };
    expectFormatError(() => parseNpy(Uint8Array.of(1, 2, 3)), /^at byte 0: not an npy file/);
    const v9 = good.slice();
    v9[6] = 9;
    expectFormatError(() => parseNpy(v9), /^at byte 6: npy format version 9\.0/);
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '>c16', 'fortran_order': False, 'shape': (3,), }")),
      /dtype '>c16' is not supported/,
    );
    expectFormatError(
      () =>
        parseNpy(withHeader("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }")),
      /structured dtype/,
    );
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '=f8', 'fortran_order': False, 'shape': (3,), }")),
      /byte order/,
    );
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }")),
      /^at byte 144: npy file has 8 unexpected bytes/,
    );
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }")),
      /^at byte 152: npy file is truncated/,
    );
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), ")),
      /not a valid Python literal/,
    );
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '<f8', 'shape': (3,), }")),
      /lacks one of/,
    );
    expectFormatError(
      () => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }")),
      /non-negative integers/,
    );
  });

  it('rejects int64 values that a double cannot hold exactly', () => {
    const bytes = fixture('i8_vector').slice();
    const start = bytes.length - 24;
    new DataView(bytes.buffer).setBigInt64(start + 8, 2n ** 53n + 1n, true);
    expectFormatError(() => parseNpy(bytes), new RegExp(`^at byte ${start + 8}: 64-bit integer`));
  });
});
