/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), as bytes.
 *
 * Layout: the magic `\x93NUMPY`, a major and a minor version byte, the header
 * length (uint16 little-endian in v1, uint32 in v2/v3), then a header that is a
 * Python dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }`
 * padded with spaces and a final `\n` so that the data starts on a 64-byte
 * boundary, then the raw elements.
 *
 * Reading: little- and big-endian (`<`, `>`, `|` for one-byte types) floats
 * (`f2`, `f4`, `f8`), signed and unsigned integers (1, 2, 4, 8 bytes) and
 * booleans. Fortran-order arrays are transposed to C (row-major) order, so
 * `data` is always row-major whatever the file's order.
 * Writing: float32 and float64, little-endian, C order, byte-identical to
 * `numpy.save`.
 */
import {
  checkShapeAndData,
  elementCount,
  encodeFloats,
  type DecodedData,
  type ElementType,
} from './element-codec';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { FormatError, catchFormatError, getOrThrow } from './format-error';
import { parsePythonLiteral } from './python-literal';
import {
  allocateTensorData,
  decodeTensorChunk,
  finishTensorData,
  type TensorLayout,
} from './tensor-layout';

/** Element types readable from `.npy` files, named as numpy names them. */
export type NpyDType =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

/**
 * A parsed `.npy` array. `data` is in C (row-major) order; it is a
 * `Float32Array` for float32 files and a `Float64Array` for every other dtype
 * (exact for all of them; int64/uint64 values beyond +-2^53 are rejected).
 */
export interface NpyArray {
  readonly dtype: NpyDType;
  readonly shape: number[];
  readonly data: DecodedData;
}

/** An array to write as `.npy`: row-major `data` of the given shape. */
export interface NpyInput {
  readonly dtype: 'float32' | 'float64';
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy leaves room in the header to grow the first axis in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

const KIND_NAMES: Record<string, NpyDType> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

function truncated(what: string, needed: number, have: number): FormatError {
  return new FormatError(
    `npy file is truncated: ${what} needs ${needed} bytes but the file has ${have}; re-copy or re-save the file`,
    have,
  );
}

function parseDescr(
  descr: unknown,
  at: number,
): { dtype: NpyDType; type: ElementType; littleEndian: boolean } {
  if (typeof descr !== 'string') {
    throw new FormatError(
      `npy dtype ${JSON.stringify(descr)} is a structured dtype, which is not supported; save a plain numeric array`,
      at,
    );
  }
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const dtype = m ? KIND_NAMES[m[2] + m[3]] : undefined;
  if (!m || !dtype) {
    throw new FormatError(
      `npy dtype '${descr}' is not supported; convert with a.astype(numpy.float64) before numpy.save`,
      at,
    );
  }
  const bytes = Number(m[3]) as ElementType['bytes'];
  if (m[1] === '=' || (m[1] === '|' && bytes > 1)) {
    throw new FormatError(
      `npy dtype '${descr}' does not state its byte order; re-save with numpy.save, which writes '<' or '>'`,
      at,
    );
  }
  return { dtype, type: { kind: m[2] as ElementType['kind'], bytes }, littleEndian: m[1] !== '>' };
}

function parseShape(shape: unknown, at: number): number[] {
  if (
    !Array.isArray(shape) ||
    !shape.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new FormatError(
      `npy shape ${JSON.stringify(shape)} is not a tuple of non-negative integers; the header is garbled`,
      at,
    );
  }
  return shape;
}

/** Bytes to pass to {@link npyHeaderEnd}: the magic, version and header length (fewer if the file is shorter). */
export const NPY_PREFIX_BYTES = 12;

/** The header of a `.npy` file: its dtype and where its data lies. */
export interface NpyLayout extends TensorLayout {
  readonly dtype: NpyDType;
}

/**
 * Where the header of a `.npy` file ends (= where its data starts), from the
 * file's first {@link NPY_PREFIX_BYTES} bytes (or all of them, if fewer).
 * @throws {@link FormatError} when the prefix is not an npy preamble
 */
export function npyHeaderEnd(prefix: Uint8Array): number {
  for (let k = 0; k < Math.min(prefix.length, MAGIC.length); k++) {
    if (prefix[k] !== MAGIC[k]) {
      throw new FormatError(
        'not an npy file: it does not start with the magic \\x93NUMPY; pass a file written by numpy.save',
        k,
      );
    }
  }
  if (prefix.length < 8) throw truncated('the magic and version', 8, prefix.length);
  const major = prefix[6];
  if (major < 1 || major > 3) {
    throw new FormatError(
      `npy format version ${major}.${prefix[7]} is not supported (1.0, 2.0 and 3.0 are); re-save with numpy.save`,
      6,
    );
  }
  const preamble = major === 1 ? 10 : 12;
  if (prefix.length < preamble) throw truncated('the header length field', preamble, prefix.length);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  return preamble + (major === 1 ? view.getUint16(8, true) : view.getUint32(8, true));
}

/**
 * Parses the header of a `.npy` file of `fileLength` bytes from `head`, its
 * first {@link npyHeaderEnd} bytes (or more), and checks that the file holds
 * exactly the data the header describes: the layout, or a {@link FormatError}
 * on truncated, garbled or unsupported input (the primary form;
 * {@link parseNpyHeader} throws instead). Read the data with
 * {@link decodeTensorChunk}; {@link parseNpyE} does all of it for bytes in memory.
 */
export function parseNpyHeaderE(
  head: Uint8Array,
  fileLength: number,
): E.Either<FormatError, NpyLayout> {
  return catchFormatError(() => readNpyHeader(head, fileLength));
}

/**
 * {@link parseNpyHeaderE} for callers that want a value or an exception.
 * @throws {@link FormatError} on truncated, garbled or unsupported input
 */
export function parseNpyHeader(head: Uint8Array, fileLength: number): NpyLayout {
  return getOrThrow(parseNpyHeaderE(head, fileLength));
}

function readNpyHeader(head: Uint8Array, fileLength: number): NpyLayout {
  const dataStart = npyHeaderEnd(head.subarray(0, NPY_PREFIX_BYTES));
  const major = head[6];
  const preamble = major === 1 ? 10 : 12;
  if (Math.min(head.length, fileLength) < dataStart) {
    throw truncated('the header', dataStart, Math.min(head.length, fileLength));
  }
  const headerBytes = head.subarray(preamble, dataStart);
  let headerText: string;
  try {
    headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      headerBytes,
    );
  } catch {
    throw new FormatError('npy header is not valid UTF-8; the file is garbled', preamble);
  }
  const header = parsePythonLiteral(headerText, preamble);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new FormatError(
      'npy header is not a dict; the file is garbled or not written by numpy.save',
      preamble,
    );
  }
  const { descr, fortran_order: fortranOrder, shape: rawShape } = header;
  if (typeof fortranOrder !== 'boolean' || descr === undefined || rawShape === undefined) {
    throw new FormatError(
      "npy header lacks one of 'descr', 'fortran_order' (True/False), 'shape'; the file is garbled",
      preamble,
    );
  }
  const { dtype, type, littleEndian } = parseDescr(descr, preamble);
  const shape = parseShape(rawShape, preamble);
  const count = elementCount(shape);
  const dataEnd = dataStart + count * type.bytes;
  if (fileLength < dataEnd) {
    throw truncated(`${count} ${dtype} values from byte ${dataStart}`, dataEnd, fileLength);
  }
  if (fileLength > dataEnd) {
    throw new FormatError(
      `npy file has ${fileLength - dataEnd} unexpected bytes after the ${count} ${dtype} values of shape (${shape.join(', ')}); the file is garbled or the header is wrong`,
      dataEnd,
    );
  }
  return {
    dtype,
    shape: [...shape],
    count,
    dataOffset: dataStart,
    byteLength: count * type.bytes,
    element: type,
    littleEndian,
    fortranOrder,
  };
}

/**
 * Parses the bytes of a `.npy` file: the array, or a {@link FormatError} on
 * truncated, garbled or unsupported input (the primary form; {@link parseNpy}
 * throws instead).
 *
 * @example
 * pipe(parseNpyE(bytes), E.match((e) => e.message, (a) => a.shape.join('x')));
 */
export function parseNpyE(bytes: Uint8Array): E.Either<FormatError, NpyArray> {
  return pipe(
    parseNpyHeaderE(bytes, bytes.length),
    E.chain((layout) =>
      catchFormatError(() => {
        const data = allocateTensorData(layout);
        decodeTensorChunk(layout, bytes.subarray(layout.dataOffset), data, 0);
        return { dtype: layout.dtype, shape: layout.shape, data: finishTensorData(layout, data) };
      }),
    ),
  );
}

/**
 * {@link parseNpyE} for callers that want a value or an exception.
 * @throws {@link FormatError} on truncated, garbled or unsupported input
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  return getOrThrow(parseNpyE(bytes));
}

function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * Serializes an array as `.npy` bytes (format 1.0, or 2.0 when the header
 * does not fit 1.0's 16-bit length), exactly as `numpy.save` writes it.
 * @throws {@link FormatError} if the dtype is not float32/float64 or `data`
 *   does not match `shape`
 */
export function serializeNpy(array: NpyInput): Uint8Array {
  const { dtype, shape, data } = array;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new FormatError(
      `cannot write npy dtype ${JSON.stringify(dtype)}; pass 'float32' or 'float64'`,
    );
  }
  checkShapeAndData('npy array', shape, data);
  const bytesPer = dtype === 'float32' ? 4 : 8;
  let header = `{'descr': '<f${bytesPer}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const lineLength = header.length + 1; // with the final newline
  const paddedLength = (preamble: number): number =>
    lineLength + ARRAY_ALIGN - ((preamble + lineLength) % ARRAY_ALIGN);
  const version = paddedLength(10) > 0xffff ? 2 : 1;
  const preamble = version === 1 ? 10 : 12;
  const headerLength = paddedLength(preamble);
  const padding = headerLength - lineLength;
  const out = new Uint8Array(preamble + headerLength + data.length * bytesPer);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  const text = header + ' '.repeat(padding) + '\n';
  for (let k = 0; k < text.length; k++) out[preamble + k] = text.charCodeAt(k);
  encodeFloats(data, { kind: 'f', bytes: bytesPer }, out, preamble + headerLength);
  return out;
}
