/**
 * Decoding and encoding of fixed-size numeric elements, shared by the npy and
 * safetensors readers and writers.
 *
 * Decoded data is always a floating-point typed array: 32-bit floats stay a
 * `Float32Array` (no widening, bit-exact), every other element type becomes a
 * `Float64Array`, which holds each of their values exactly. 64-bit integers
 * outside +-2^53 cannot be held exactly and are rejected rather than rounded.
 */
import { FormatError } from './format-error';

/** Kind of a numeric element: float, signed int, unsigned int, boolean, brain float. */
export type ElementKind = 'f' | 'i' | 'u' | 'b' | 'bf';

/** A fixed-size element type. */
export interface ElementType {
  readonly kind: ElementKind;
  /** Size of one element in bytes. */
  readonly bytes: 1 | 2 | 4 | 8;
}

/** Decoded tensor data (see the module comment for which array type is used). */
export type DecodedData = Float32Array | Float64Array;

/** Decodes one IEEE 754 binary16 bit pattern. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const bfloatScratch = new DataView(new ArrayBuffer(4));

/** Decodes one bfloat16 bit pattern (the upper half of a binary32). */
export function bfloat16ToNumber(bits: number): number {
  bfloatScratch.setUint32(0, bits << 16);
  return bfloatScratch.getFloat32(0);
}

/** Every integer of magnitude up to 2^53 is a double; 2^53 + 1 is the first that is not. */
const EXACT_INTEGER_LIMIT = 2n ** 53n;

function bigToSafeNumber(value: bigint, offset: number): number {
  if (value > EXACT_INTEGER_LIMIT || value < -EXACT_INTEGER_LIMIT) {
    throw new FormatError(
      `64-bit integer ${value} is outside +-2^53 and cannot be held exactly as a double; convert the tensor to float64 before saving`,
      offset,
    );
  }
  return Number(value);
}

/**
 * Decodes `count` elements of `type` starting at `byteOffset` of `bytes`.
 * The caller has checked that the bytes are present.
 */
export function decodeElements(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  type: ElementType,
  littleEndian: boolean,
): DecodedData {
  const out = allocateDecoded(type, count);
  decodeElementsInto(bytes, byteOffset, count, type, littleEndian, out, 0);
  return out;
}

/** The array {@link decodeElements} returns for `count` elements of `type` (zeros). */
export function allocateDecoded(type: ElementType, count: number): DecodedData {
  return type.kind === 'f' && type.bytes === 4 ? new Float32Array(count) : new Float64Array(count);
}

/**
 * Decodes `count` elements of `type` at `byteOffset` of `bytes` into `out`
 * from index `at` (`out` as made by {@link allocateDecoded}). Byte offsets in
 * errors are `reportBase` plus the offset in `bytes` (the file offset of `bytes[0]`).
 */
export function decodeElementsInto(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  type: ElementType,
  littleEndian: boolean,
  out: DecodedData,
  at: number,
  reportBase = 0,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * type.bytes);
  const key = `${type.kind}${type.bytes}`;
  if (key === 'f4') {
    for (let k = 0; k < count; k++) out[at + k] = view.getFloat32(4 * k, littleEndian);
    return;
  }
  const read = elementReader(key, view, littleEndian, reportBase + byteOffset);
  for (let k = 0; k < count; k++) out[at + k] = read(k);
}

function elementReader(
  key: string,
  view: DataView,
  le: boolean,
  byteOffset: number,
): (k: number) => number {
  switch (key) {
    case 'f8':
      return (k) => view.getFloat64(8 * k, le);
    case 'f2':
      return (k) => halfToNumber(view.getUint16(2 * k, le));
    case 'bf2':
      return (k) => bfloat16ToNumber(view.getUint16(2 * k, le));
    case 'i1':
      return (k) => view.getInt8(k);
    case 'i2':
      return (k) => view.getInt16(2 * k, le);
    case 'i4':
      return (k) => view.getInt32(4 * k, le);
    case 'i8':
      return (k) => bigToSafeNumber(view.getBigInt64(8 * k, le), byteOffset + 8 * k);
    case 'u1':
      return (k) => view.getUint8(k);
    case 'u2':
      return (k) => view.getUint16(2 * k, le);
    case 'u4':
      return (k) => view.getUint32(4 * k, le);
    case 'u8':
      return (k) => bigToSafeNumber(view.getBigUint64(8 * k, le), byteOffset + 8 * k);
    case 'b1':
      return (k) => {
        const v = view.getUint8(k);
        if (v > 1) {
          throw new FormatError(
            `boolean element holds ${v}, not 0 or 1; the data is garbled, re-export the file`,
            byteOffset + k,
          );
        }
        return v;
      };
    default:
      throw new Error(`internal: no decoder for element type ${key}`);
  }
}

/** Element types this package can write. */
export type WritableElement = { readonly kind: 'f'; readonly bytes: 4 | 8 };

/** Encodes `data` little-endian as float32 or float64 into `out` at `byteOffset`. */
export function encodeFloats(
  data: ArrayLike<number>,
  type: WritableElement,
  out: Uint8Array,
  byteOffset: number,
): void {
  const view = new DataView(out.buffer, out.byteOffset + byteOffset, data.length * type.bytes);
  if (type.bytes === 4) {
    for (let k = 0; k < data.length; k++) view.setFloat32(4 * k, data[k], true);
  } else {
    for (let k = 0; k < data.length; k++) view.setFloat64(8 * k, data[k], true);
  }
}

/** Number of elements of a shape (1 for the scalar shape `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Checks a shape and data length given to a serializer.
 * @param what - the tensor's name in error messages
 */
export function checkShapeAndData(
  what: string,
  shape: readonly number[],
  data: ArrayLike<number>,
): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FormatError(
      `${what}: shape ${JSON.stringify(shape)} is not a list of non-negative integers; pass e.g. [2, 3]`,
    );
  }
  const n = elementCount(shape);
  if (data.length !== n) {
    throw new FormatError(
      `${what}: data has ${data.length} values but shape ${JSON.stringify(shape)} needs ${n}; pass row-major (C order) data of that shape`,
    );
  }
}
